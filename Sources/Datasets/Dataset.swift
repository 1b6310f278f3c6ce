import TensorCore

/// Examples that a ``DataLoader`` serves in batches, as PyTorch's map-style `Dataset`: a count, and the examples at
/// any indices stacked into one input tensor and one target tensor.
///
/// ``ImageDataset`` serves the MNIST family (normalised, optionally augmented, flat or shaped for a convolution);
/// ``TensorDataset`` serves arrays already in memory or in `.npy` files; conform your own type for anything else.
public protocol Dataset: Sendable {
    /// The number of examples.
    var count: Int { get }

    /// The examples at `indices` (each in `0..<count`), stacked along a new first axis.
    ///
    /// - Parameters:
    ///   - indices: which examples, in the order they are stacked.
    ///   - generator: random draws for a dataset that changes its examples at random (augmentation), drawn
    ///     in the order of `indices`; the loader passes one generator per epoch, so that the same seed gives the
    ///     same batches. Others ignore it.
    ///
    /// **Shapes:** inputs `[indices.count, ...]`, targets `[indices.count, ...]` (class indices `[indices.count]`).
    func batch(_ indices: ArraySlice<Int>, generator: RandomGenerator) -> (inputs: Tensor, targets: Tensor)
}
