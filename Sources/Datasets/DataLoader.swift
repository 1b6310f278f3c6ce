import TensorCore

/// Batches of a ``Dataset`` for one epoch: shuffled from a seed (a different order each epoch, the same order for
/// the same seed and epoch), as PyTorch's `DataLoader`, with the dataset's random changes (an ``ImageDataset``'s
/// augmentation) drawn from the same seed.
///
/// ```swift
/// let loader = DataLoader(train, batchSize: 64, shuffle: true, seed: 0, normalization: .fashionMNIST)
/// for epoch in 0..<5 {
///     for (images, labels) in loader.batches(epoch: epoch) { ... }   // images [64, 784], labels [64]
/// }
/// ```
public struct DataLoader: Sendable {
    /// The dataset.
    public let dataset: any Dataset
    /// Examples per batch.
    public let batchSize: Int
    /// Whether each epoch visits the examples in a new random order.
    public let shuffle: Bool
    /// Whether a last batch smaller than `batchSize` is skipped.
    public let dropLast: Bool
    /// The seed of the shuffles and of the dataset's random changes.
    public let seed: UInt64
    /// This process's part of each batch in data-parallel training (nil: all of it).
    public let shard: Shard?

    /// A loader of `dataset` in batches of `batchSize`, shuffled from `seed` when `shuffle` is set. With a `shard`,
    /// `batchSize` is the batch of all processes together and this loader yields this process's part of each (a
    /// last batch smaller than the number of processes is skipped, so that no process gets an empty one).
    public init(_ dataset: some Dataset, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false, seed: UInt64 = 0,
                shard: Shard? = nil) {
        require(batchSize > 0, "DataLoader: batchSize must be positive, got \(batchSize)")
        require(batchSize >= shard?.count ?? 1,
                "DataLoader: a batch of \(batchSize) cannot be split between \(shard?.count ?? 1) processes")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.shard = shard
    }

    /// A loader of MNIST-format images as flat normalised rows (an ``ImageDataset``), optionally augmented.
    public init(_ images: MNIST, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false, seed: UInt64 = 0,
                normalization: Normalization, augmentation: Augmentation = .none, shard: Shard? = nil) {
        self.init(ImageDataset(images, normalization: normalization, augmentation: augmentation), batchSize: batchSize,
                  shuffle: shuffle, dropLast: dropLast, seed: seed, shard: shard)
    }

    /// Number of batches per epoch (the same on every process of a shard).
    public var batchCount: Int {
        let whole = dataset.count / batchSize, rest = dataset.count % batchSize
        return whole + (dropLast || rest == 0 || rest < (shard?.count ?? 1) ? 0 : 1)
    }

    /// The order in which epoch `epoch` visits the examples.
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
        /// The dataset's random draws, in the order the epoch visits the examples.
        let generator: RandomGenerator
        var position = 0

        /// The next batch: inputs `[n, ...]` and targets `[n, ...]` as the dataset stacks them (flat images
        /// `[n, rows·columns]` and labels `[n]` for the MNIST loader).
        public mutating func next() -> (inputs: Tensor, targets: Tensor)? {
            let remaining = order.count - position
            guard remaining > 0, !(loader.dropLast && remaining < loader.batchSize),
                  remaining >= loader.shard?.count ?? 1 else { return nil }
            let end = position + Swift.min(loader.batchSize, remaining)
            defer { position = end }
            let part = loader.shard?.part(of: position..<end) ?? position..<end
            return loader.dataset.batch(order[part], generator: generator)
        }
    }
}
