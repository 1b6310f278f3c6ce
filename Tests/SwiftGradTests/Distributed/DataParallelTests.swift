import Datasets
import Distributed
import Foundation
import NN
import Optimizers
import Testing
import TensorCore
import Training

/// Ranks as threads of this process, for testing data-parallel code without MPI: each collective waits for every
/// rank, combines their buffers, and hands the result to all.
final class ThreadGroup: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var arrived = 0, generation = 0
    private var floats: [Float] = [], doubles: [Double] = [], bytes: [UInt8] = []

    init(size: Int) { self.size = size }

    /// Everyone runs `contribute` on the shared state in turn, then, once all have, `collect`; then everyone waits
    /// again so that the next collective cannot overwrite the state before all have read it.
    private func collective(_ contribute: (ThreadGroup) -> Void, _ collect: (ThreadGroup) -> Void) {
        barrier { contribute(self) }
        collect(self)
        barrier {}
    }

    func barrier(_ body: () -> Void = {}) {
        condition.lock()
        body()
        arrived += 1
        let mine = generation
        if arrived == size {
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
        condition.unlock()
    }

    func allReduce(_ buffer: UnsafeMutableBufferPointer<Float>) {
        collective({ group in
            if group.arrived == 0 { group.floats = [Float](repeating: 0, count: buffer.count) }
            for i in 0..<buffer.count { group.floats[i] += buffer[i] }
        }, { group in for i in 0..<buffer.count { buffer[i] = group.floats[i] } })
    }

    func allReduce(_ buffer: UnsafeMutableBufferPointer<Double>) {
        collective({ group in
            if group.arrived == 0 { group.doubles = [Double](repeating: 0, count: buffer.count) }
            for i in 0..<buffer.count { group.doubles[i] += buffer[i] }
        }, { group in for i in 0..<buffer.count { buffer[i] = group.doubles[i] } })
    }

    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, isRoot: Bool) {
        collective({ group in if isRoot { group.bytes = Array(buffer) } }, { group in
            if !isRoot { group.bytes.withUnsafeBytes { buffer.copyMemory(from: $0) } }
        })
    }
}

/// One rank of a `ThreadGroup`.
final class ThreadCommunicator: Communicator {
    let group: ThreadGroup
    let rank: Int
    var worldSize: Int { group.size }

    init(_ group: ThreadGroup, rank: Int) {
        self.group = group
        self.rank = rank
    }

    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) { group.allReduce(buffer) }
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) { group.allReduce(buffer) }
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) { group.broadcast(buffer, isRoot: rank == root) }
    func barrier() { group.barrier() }
    func abort(_ message: String, code: Int32) -> Never { fatalError(message) }
}

/// Data parallelism without MPI: the shards, and two thread-ranks against one process.
@Suite struct DataParallelTests {
    @Test func shardsSplitEachBatchInOrderAndTogetherMakeIt() {
        let data = pointClasses(count: 23, seed: 4)
        let whole = DataLoader(data, batchSize: 6, shuffle: true, seed: 9)
        let parts = (0..<3).map { DataLoader(data, batchSize: 6, shuffle: true, seed: 9, shard: Shard(rank: $0, count: 3)) }
        // 23 = 3 × 6 + 5: the last batch (5 ≥ 3 processes) is kept; parts of 2, 2, 2 then 1, 2, 2.
        #expect(parts.map(\.batchCount) == [4, 4, 4] && whole.batchCount == 4)
        let batches = parts.map { Array($0.batches(epoch: 1)).map(\.targets.scalars) }
        let joined = (0..<4).map { b in batches.flatMap { $0[b] } }
        #expect(joined == Array(whole.batches(epoch: 1)).map(\.targets.scalars))
        #expect(batches.map { $0[3].count } == [1, 2, 2])
        // A last batch smaller than the number of processes is skipped by all of them.
        let four = DataLoader(data, batchSize: 10, shard: Shard(rank: 0, count: 4))
        #expect(four.batchCount == 2 && Array(four.batches()).count == 2)
        #expect(Shard(rank: 1, count: 3).part(of: 10..<20) == 13..<16)
        let slices = (0..<3).map { DatasetSlice(data, shard: Shard(rank: $0, count: 3)) }
        #expect(slices.map(\.count) == [7, 8, 8] && slices[1].range == 7..<15)
    }

    static func learner(_ communicator: Communicator?, batchSize: Int) -> Learner {
        let generator = RandomGenerator(seed: 11 + UInt64(communicator?.rank ?? 0))
        let model = Sequential { Linear(2, 8, generator: generator); ReLU(); Linear(8, 3, generator: generator) }
        let shard = communicator.map { Shard(rank: $0.rank, count: $0.worldSize) }
        let valid = pointClasses(count: 9, seed: 3)
        let validation = shard.map { DataLoader(DatasetSlice(valid, shard: $0), batchSize: 4) } ?? DataLoader(valid, batchSize: 4)
        let data = DataLoaders(train: DataLoader(pointClasses(count: 30, seed: 1), batchSize: batchSize, shuffle: true, seed: 2,
                                                 shard: shard),
                               valid: validation)
        let callbacks: [Callback] = [Metrics([.accuracy])] + (communicator.map { [DataParallel(communicator: $0)] } ?? [])
        return Learner(model: model, data: data, optimizer: AdamW(model.parameters(), learningRate: 0.05),
                       schedule: .oneCycle, callbacks: callbacks)
    }

    /// Two ranks with global batch 7 (parts of 3 and 4, unequal, so the weighting matters) end where one process
    /// with batch 7 does, though rank 1 starts from other weights (rank 0's are broadcast) — within float
    /// rounding of the gradient sums — and record the same history.
    @Test func twoThreadRanksMatchOneProcess() throws {
        let single = Self.learner(nil, batchSize: 7)
        try single.fit(epochs: 2)
        let group = ThreadGroup(size: 2)
        let ranks = LearnerBox((0..<2).map { Self.learner(ThreadCommunicator(group, rank: $0), batchSize: 7) })
        let errors = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: 2) { rank in
            do { try ranks.learners[rank].fit(epochs: 2) } catch { errors.set(error) }
        }
        #expect(errors.error == nil)
        for learner in ranks.learners {
            for ((name, a), (_, b)) in zip(learner.model.namedParameters(), single.model.namedParameters()) {
                let difference = zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
                #expect(difference < 1e-5, "\(name): \(difference)")
            }
            for (mine, theirs) in zip(learner.history, single.history) {
                #expect(Swift.abs(mine.trainLoss - theirs.trainLoss) < 1e-5)
                #expect(Swift.abs(mine.validationLoss! - theirs.validationLoss!) < 1e-5)
                #expect(mine.metrics == theirs.metrics)
            }
        }
    }

    @Test func ranksThatDisagreeNameTheDifference() throws {
        let group = ThreadGroup(size: 2)
        let errors = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: 2) { rank in
            let learner = Self.learner(nil, batchSize: 6)
            let parallel = DataParallel(communicator: ThreadCommunicator(group, rank: rank),
                                        agreement: [("the setting seed", rank == 0 ? "1" : "2")])
            do { try parallel.check(learner) } catch { if rank == 1 { errors.set(error) } }
        }
        #expect("\(try #require(errors.error))" == "rank 1 disagrees with rank 0 on the setting seed: 2 here, 1 on rank 0; start every process with the same build and options")
    }

    @Test func aSingleProcessCommunicatorChangesNothing() {
        let communicator = SingleProcessCommunicator()
        #expect(communicator.allReduceSum([1.5, 2]) == [1.5, 2] && communicator.broadcast("same") == "same")
        let report = ClassificationReport(confusion: [[3, 1], [0, 4]], lossSum: 2)
        let combined = report.combined(over: communicator)
        #expect(combined.accuracy == 7.0 / 8 && combined.loss == 0.25 && combined.confusion == report.confusion)
    }
}

/// The first error thrown on any thread.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var error: Error?
    func set(_ error: Error) { lock.withLock { if self.error == nil { self.error = error } } }
}

/// Learners handed to the threads that play ranks, each used by its own thread only.
final class LearnerBox: @unchecked Sendable {
    let learners: [Learner]
    init(_ learners: [Learner]) { self.learners = learners }
}
