import TensorCore

/// This process's share of the data in data-parallel training: process `rank` of `count`. A ``DataLoader`` with a
/// shard gives each process its part of every batch (the same order on every process, from the same seed), so
/// that the processes together see each batch of a single-process run; a ``DatasetSlice`` gives each process one
/// contiguous part of a dataset (for evaluation).
public struct Shard: Sendable, Equatable {
    /// This process's index.
    public let rank: Int
    /// The number of processes.
    public let count: Int

    /// Process `rank` of `count`; stops unless `0 <= rank < count`.
    public init(rank: Int, count: Int) {
        require(count >= 1 && rank >= 0 && rank < count, "Shard: rank \(rank) must be in 0..<\(count)")
        self.rank = rank
        self.count = count
    }

    /// This process's contiguous part of `range`: parts in rank order, their sizes differing by at most one.
    public func part(of range: Range<Int>) -> Range<Int> {
        let total = range.count
        return (range.lowerBound + rank * total / count)..<(range.lowerBound + (rank + 1) * total / count)
    }
}

/// One process's contiguous part of a dataset (``Shard/part(of:)`` of its examples), for splitting evaluation
/// across processes.
public struct DatasetSlice: Dataset {
    /// The whole dataset.
    public let base: any Dataset
    /// The examples of `base` this slice holds.
    public let range: Range<Int>

    /// The part of `base` that `shard` takes.
    public init(_ base: some Dataset, shard: Shard) {
        self.base = base
        self.range = shard.part(of: 0..<base.count)
    }

    /// The number of examples in the slice.
    public var count: Int { range.count }

    /// The slice's examples at `indices` (counted from the slice's start).
    public func batch(_ indices: ArraySlice<Int>, generator: RandomGenerator) -> (inputs: Tensor, targets: Tensor) {
        base.batch(ArraySlice(indices.map { range.lowerBound + $0 }), generator: generator)
    }
}
