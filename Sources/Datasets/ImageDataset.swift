import TensorCore

/// An MNIST-format dataset as model inputs: pixels scaled by a ``Normalization``, changed at random by an
/// ``Augmentation`` if one is given, each image flat (`[rows·columns]`, for an MLP) or in `imageShape`
/// (`[1, rows, columns]`, for a convolution); targets are the class labels.
public struct ImageDataset: Dataset {
    /// The images and labels.
    public let images: MNIST
    /// How pixels are scaled.
    public let normalization: Normalization
    /// Random flips and crops, drawn from the loader's generator (none by default).
    public let augmentation: Augmentation
    /// The shape of one input: `[rows·columns]` by default.
    public let imageShape: [Int]

    /// `images` normalised, augmented and shaped as given; stops if `imageShape` does not hold one image's pixels.
    public init(_ images: MNIST, normalization: Normalization, augmentation: Augmentation = .none, imageShape: [Int]? = nil) {
        let shape = imageShape ?? [images.imageSize]
        require(shape.reduce(1, *) == images.imageSize && shape.allSatisfy { $0 > 0 },
                "ImageDataset: imageShape \(shape) does not hold an image of \(images.rows)×\(images.columns) pixels")
        self.images = images
        self.normalization = normalization
        self.augmentation = augmentation
        self.imageShape = shape
    }

    /// The number of images.
    public var count: Int { images.count }

    /// The images at `indices` (augmented with draws from `generator`, image by image) and their labels.
    ///
    /// **Shapes:** inputs `[indices.count] + imageShape`, targets `[indices.count]`.
    public func batch(_ indices: ArraySlice<Int>, generator: RandomGenerator) -> (inputs: Tensor, targets: Tensor) {
        let (inputs, targets): (Tensor, Tensor)
        if augmentation.isEnabled {
            let size = images.imageSize
            var pixels = [UInt8](repeating: 0, count: indices.count * size)
            images.pixels.withUnsafeBufferPointer { source in
                pixels.withUnsafeMutableBufferPointer { target in
                    for (row, index) in indices.enumerated() {
                        augmentation.apply(source.baseAddress! + index * size, into: target.baseAddress! + row * size,
                                           rows: images.rows, columns: images.columns, generator: generator)
                    }
                }
            }
            let changed = MNIST(pixels: pixels, labels: indices.map { images.labels[$0] }, rows: images.rows,
                                columns: images.columns, classCount: images.classCount)
            (inputs, targets) = changed.batch(0..<indices.count, normalization: normalization)
        } else {
            (inputs, targets) = images.batch(indices, normalization: normalization)
        }
        return imageShape.count == 1 ? (inputs, targets) : (inputs.reshaped(to: [indices.count] + imageShape), targets)
    }
}
