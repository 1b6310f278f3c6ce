import TensorCore

/// Batches of a dataset for one epoch: shuffled from a seed (a different order each epoch, the same order for
/// the same seed and epoch), optionally flipped and cropped at random (``Augmentation``), normalised, as tensors
/// ready for the model.
///
/// ```swift
/// let loader = DataLoader(train, batchSize: 64, shuffle: true, seed: 0, normalization: .fashionMNIST)
/// for epoch in 0..<5 {
///     for (images, labels) in loader.batches(epoch: epoch) { ... }   // images [64, 784], labels [64]
/// }
/// ```
public struct DataLoader: Sendable {
    /// The dataset.
    public let dataset: MNIST
    /// Images per batch.
    public let batchSize: Int
    /// Whether each epoch visits the images in a new random order.
    public let shuffle: Bool
    /// Whether a last batch smaller than `batchSize` is skipped.
    public let dropLast: Bool
    /// The seed of the shuffles.
    public let seed: UInt64
    /// How pixels are scaled.
    public let normalization: Normalization
    /// Random flips and crops of each image, drawn from `seed` and the epoch (none by default).
    public let augmentation: Augmentation

    /// A loader of `dataset` in batches of `batchSize`, shuffled from `seed` when `shuffle` is set.
    public init(_ dataset: MNIST, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false, seed: UInt64 = 0,
                normalization: Normalization, augmentation: Augmentation = .none) {
        require(batchSize > 0, "DataLoader: batchSize must be positive, got \(batchSize)")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.normalization = normalization
        self.augmentation = augmentation
    }

    /// Number of batches per epoch.
    public var batchCount: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The order in which epoch `epoch` visits the images.
    public func order(epoch: Int) -> [Int] {
        guard shuffle else { return Array(0..<dataset.count) }
        return Tensor.randomPermutation(dataset.count,
                                        generator: RandomGenerator(seed: seed &+ 0x9E37_79B9 &* UInt64(epoch + 1)))
    }

    /// The batches of epoch `epoch` (0-based).
    public func batches(epoch: Int = 0) -> Batches {
        Batches(loader: self, order: order(epoch: epoch),
                generator: RandomGenerator(seed: seed &+ 0x5851_F42D_4C95_7F2D &* UInt64(epoch + 1)))
    }

    /// One epoch's batches, made lazily as they are iterated.
    public struct Batches: Sequence, IteratorProtocol {
        let loader: DataLoader
        let order: [Int]
        /// The augmentation's draws, one set per image in the order the epoch visits them.
        let generator: RandomGenerator
        var position = 0

        /// The next batch: images `[n, rows·columns]`, labels `[n]`.
        public mutating func next() -> (images: Tensor, labels: Tensor)? {
            let remaining = order.count - position
            guard remaining > 0, !(loader.dropLast && remaining < loader.batchSize) else { return nil }
            let end = position + Swift.min(loader.batchSize, remaining)
            defer { position = end }
            let indices = order[position..<end]
            guard loader.augmentation.isEnabled else { return loader.dataset.batch(indices, normalization: loader.normalization) }
            let (dataset, size) = (loader.dataset, loader.dataset.imageSize)
            var pixels = [UInt8](repeating: 0, count: indices.count * size)
            dataset.pixels.withUnsafeBufferPointer { source in
                pixels.withUnsafeMutableBufferPointer { target in
                    for (row, index) in indices.enumerated() {
                        loader.augmentation.apply(source.baseAddress! + index * size, into: target.baseAddress! + row * size,
                                                  rows: dataset.rows, columns: dataset.columns, generator: generator)
                    }
                }
            }
            let changed = MNIST(pixels: pixels, labels: indices.map { dataset.labels[$0] }, rows: dataset.rows,
                                columns: dataset.columns, classCount: dataset.classCount)
            return changed.batch(0..<indices.count, normalization: loader.normalization)
        }
    }
}
