import Checkpoints
import Foundation
import TensorCore

/// Examples held as two tensors whose first axis counts them, as PyTorch's `TensorDataset`: tabular features
/// and their targets, images of any shape, anything already in memory or in `.npy` files.
///
/// ```swift
/// let data = try TensorDataset.load(inputs: URL(filePath: "x.npy"), targets: URL(filePath: "y.npy"))
/// let loader = DataLoader(data, batchSize: 32, shuffle: true)   // inputs [32, features], targets [32]
/// ```
public struct TensorDataset: Dataset {
    /// Every input's values in order, float32.
    private let inputValues: [Float]
    /// Every target's values in order, float32.
    private let targetValues: [Float]
    /// The shape of all inputs, `[count, ...]`.
    public let inputShape: [Int]
    /// The shape of all targets, `[count, ...]` (`[count]` of class indices for a classifier).
    public let targetShape: [Int]

    /// The examples of `inputs` and `targets` (their values copied, as float32); stops (naming both shapes) unless
    /// both have a first axis of the same length.
    public init(inputs: Tensor, targets: Tensor) {
        require(inputs.rank >= 1 && targets.rank >= 1 && inputs.shape[0] == targets.shape[0],
                "TensorDataset: inputs \(inputs.shape) and targets \(targets.shape) must have the same first axis (one entry per example)")
        inputValues = inputs.scalars
        targetValues = targets.scalars
        inputShape = inputs.shape
        targetShape = targets.shape
    }

    /// The examples in two `.npy` files (any numeric type; stored as float32).
    ///
    /// - Throws: `CheckpointError` for a file that is missing or not a valid `.npy`; ``DatasetError`` when the
    ///   two do not hold the same number of examples.
    public static func load(inputs: URL, targets: URL) throws -> TensorDataset {
        let (x, y) = (try NPY.read(inputs), try NPY.read(targets))
        guard x.rank >= 1, y.rank >= 1, x.shape[0] == y.shape[0] else {
            throw DatasetError(path: targets.path, problem: "holds targets of shape \(y.shape) for inputs of shape \(x.shape) in \(inputs.lastPathComponent): the first axes must match")
        }
        return TensorDataset(inputs: x, targets: y)
    }

    /// The number of examples.
    public var count: Int { inputShape[0] }

    /// The examples at `indices`, rows copied in order.
    ///
    /// **Shapes:** inputs `[indices.count] + inputShape[1...]`, targets `[indices.count] + targetShape[1...]`.
    public func batch(_ indices: ArraySlice<Int>, generator: RandomGenerator) -> (inputs: Tensor, targets: Tensor) {
        (Self.rows(indices, of: inputValues, shape: inputShape), Self.rows(indices, of: targetValues, shape: targetShape))
    }

    private static func rows(_ indices: ArraySlice<Int>, of values: [Float], shape: [Int]) -> Tensor {
        let rowShape = Array(shape.dropFirst())
        let width = rowShape.reduce(1, *)
        return values.withUnsafeBufferPointer { source in
            Tensor(shape: [indices.count] + rowShape) { out in
                for (row, index) in indices.enumerated() {
                    (out.baseAddress! + row * width).update(from: source.baseAddress! + index * width, count: width)
                }
            }
        }
    }
}
