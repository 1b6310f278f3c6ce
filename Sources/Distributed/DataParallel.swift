import Foundation
import NN
import TensorCore
import Training

/// Synchronous data-parallel training as a `Callback`, PyTorch's `DistributedDataParallel` in the shape of
/// Horovod: every process holds the whole model and trains on its part of each batch (a `DataLoader` with a
/// `Shard`); after each backward pass the gradients are averaged across the processes with one all-reduce of a
/// flat buffer, so every process takes the same optimizer step and the parameters stay identical.
///
/// - At the start of a fit (`check`), the processes compare what they were told to run (``agreement``: the code's
///   version, the settings, the parameter shapes) and refuse to start, naming the first difference, rather than
///   all-reduce buffers that do not match; then rank 0's parameters and buffers are broadcast to all.
/// - Each process's gradient is weighted by its examples in the batch, so the average is exactly the gradient
///   of the whole batch's mean loss, as one process with the whole batch would compute it (only the order of
///   summation differs). The same all-reduce carries the batch's loss sum and count (`Learner/progress` becomes
///   the sums over all processes, so every process records the same history), whether any process's loss is not
///   finite (then every process ends the fit with `TrainingError/nonFiniteLoss(value:epoch:batch:)` at the same
///   step), and whether any process was asked to stop (``stopAgreed``, for an interrupt handler that must stop every
///   process at the same step).
/// - After validation, the loss and the metrics (each process validating its part of the data) are combined,
///   weighted by each process's examples.
///
/// Batch norm keeps each process's own batch statistics and running statistics, as DDP does by default. Runs
/// before the other callbacks (order −10), after `Metrics`.
public final class DataParallel: Callback {
    /// The processes.
    public let communicator: Communicator
    /// What every process must agree on, as named values (compared in order; the first difference is reported).
    public let agreement: [(name: String, value: String)]
    /// Whether this process has been asked to stop (an interrupt): polled before each all-reduce.
    private let stopRequested: () -> Bool
    /// Whether some process asked to stop at the last step: every process sees the same value.
    public private(set) var stopAgreed = false
    /// Seconds spent in the gradient all-reduce, over the fit so far.
    public private(set) var allReduceSeconds = 0.0
    /// All-reduces so far.
    public private(set) var allReduces = 0
    /// The all-reduce's buffer, kept between steps.
    private var buffer: [Float] = []
    private var localLoss = (sum: 0.0, count: 0)
    private var globalLoss = (sum: 0.0, count: 0)

    /// Data parallelism over `communicator`; `agreement` is checked across the processes before anything runs,
    /// and `stopRequested` is this process's wish to stop (Ctrl-C), shared at every step.
    public init(communicator: Communicator, agreement: [(name: String, value: String)] = [],
                stopRequested: @escaping () -> Bool = { false }) {
        self.communicator = communicator
        self.agreement = agreement
        self.stopRequested = stopRequested
    }

    public var order: Int { -10 }

    /// Refuses a job whose processes disagree on ``agreement`` or on the model's parameter shapes.
    public func check(_ learner: Learner) throws {
        let items = [("SwiftGrad's version", SwiftGradVersion.current)] + agreement.map { ($0.name, $0.value) }
            + [("the model's parameters", learner.model.namedParameters().map { "\($0.0) \($0.1.shape)" }.joined(separator: ", ")),
               ("batches per epoch", String(learner.batchesPerEpoch))]
        let encoded = items.map { "\($0.0)\u{1}\($0.1)" }.joined(separator: "\u{2}")
        let root = communicator.broadcast(encoded).split(separator: "\u{2}", omittingEmptySubsequences: false).map {
            $0.split(separator: "\u{1}", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        }
        let difference = zip(items, root).first { $0.0.1 != ($0.1.count == 2 ? $0.1[1] : "") }
            ?? (items.count == root.count ? nil : (("the settings", "\(items.count) values"), ["", "\(root.count) values"]))
        var disagreeing = [Double](repeating: 0, count: communicator.worldSize)
        disagreeing[communicator.rank] = difference == nil ? 0 : 1
        let everyone = communicator.allReduceSum(disagreeing)
        guard let first = everyone.firstIndex(where: { $0 > 0 }) else { return }
        throw DistributedError.disagreement(rank: communicator.rank, first: first, name: difference?.0.0,
                                            mine: difference?.0.1, rootValue: difference.map { $0.1.count == 2 ? $0.1[1] : "" })
    }

    /// Gives every process rank 0's parameters and buffers.
    public func beforeFit(_ learner: Learner) throws {
        let state = learner.model.namedParameters() + learner.model.namedBuffers()
        var flat = state.flatMap { $0.1.contiguous().scalars }
        flat.withUnsafeMutableBytes { communicator.broadcast($0, root: 0) }
        var offset = 0
        for (_, tensor) in state {
            tensor.replaceValues(with: Tensor(shape: tensor.shape, scalars: Array(flat[offset..<(offset + tensor.count)])))
            offset += tensor.count
        }
    }

    /// Averages the gradients across the processes, each weighted by its examples, with the step's flags.
    public func afterBackward(_ learner: Learner) throws {
        guard learner.isTraining, let loss = learner.loss else { return }
        let count = learner.batchSize
        let value = Double(loss.item())
        let parameters = learner.optimizer.parameters
        let elements = parameters.reduce(0) { $0 + $1.count }
        // Gradients × this process's examples, then the examples, the loss × examples, and the two flags.
        if buffer.count != elements + 4 { buffer = [Float](repeating: 0, count: elements + 4) }
        buffer.withUnsafeMutableBufferPointer { buffer in
            var offset = 0
            for parameter in parameters {
                let target = buffer.baseAddress! + offset
                if let grad = parameter.grad?.to(.float32).contiguous() {
                    grad.withUnsafeMutableScalars { source in
                        for i in 0..<source.count { target[i] = source[i] * Float(count) }
                    }
                } else {
                    target.update(repeating: 0, count: parameter.count)
                }
                offset += parameter.count
            }
            buffer[elements] = Float(count)
            buffer[elements + 1] = Float(value.isFinite ? value * Double(count) : 0)
            buffer[elements + 2] = value.isFinite ? 0 : 1
            buffer[elements + 3] = stopRequested() ? 1 : 0
            let started = Date.timeIntervalSinceReferenceDate
            communicator.allReduceSum(buffer)
            allReduceSeconds += Date.timeIntervalSinceReferenceDate - started
        }
        allReduces += 1
        if buffer[elements + 2] > 0 {
            throw TrainingError.nonFiniteLoss(value: value.isFinite ? .nan : value, epoch: learner.epoch + 1,
                                              batch: learner.batchIndex + 1)
        }
        stopAgreed = buffer[elements + 3] > 0
        let total = buffer[elements]
        buffer.withUnsafeBufferPointer { buffer in
            var offset = 0
            for parameter in parameters {
                let source = buffer.baseAddress! + offset
                parameter.grad = Tensor(shape: parameter.shape) { out in
                    for i in 0..<out.count { out[i] = source[i] / total }
                }
                offset += parameter.count
            }
        }
        localLoss = (value * Double(count), count)
        globalLoss = (Double(buffer[elements + 1]), Int(total))
    }

    /// Makes the epoch's running sums those of all processes (the learner has just added this process's batch).
    public func afterStep(_ learner: Learner) throws {
        learner.progress.lossSum += globalLoss.sum - localLoss.sum
        learner.progress.examples += globalLoss.count - localLoss.count
    }

    /// Combines the processes' validation figures, each weighted by its examples.
    public func afterValidate(_ learner: Learner) throws {
        let count = Double(learner.data.valid?.dataset.count ?? 0)
        let names = learner.validation.keys.sorted()
        let sums = communicator.allReduceSum(names.map { learner.validation[$0]! * count } + [count])
        for (name, sum) in zip(names, sums) { learner.validation[name] = sum / Swift.max(sums.last!, 1) }
    }
}

/// Why a data-parallel job cannot go on.
public enum DistributedError: Error, CustomStringConvertible, Equatable {
    /// The processes were not told to run the same thing: `first` is the first rank that differs from rank 0,
    /// and, on that rank, what differs.
    case disagreement(rank: Int, first: Int, name: String?, mine: String?, rootValue: String?)

    /// Whether this rank is the one that reports the error (every rank throws it).
    public var isReportedHere: Bool {
        switch self {
        case .disagreement(let rank, let first, _, _, _): return rank == first
        }
    }

    public var description: String {
        switch self {
        case .disagreement(let rank, let first, let name, let mine, let rootValue):
            guard let name, let mine, let rootValue else {
                return "rank \(first) was not started like rank 0; refusing to train (rank \(first) says why)"
            }
            return "rank \(rank) disagrees with rank 0 on \(name): \(mine) here, \(rootValue) on rank 0; start every process with the same build and options"
        }
    }
}

extension ClassificationReport {
    /// The report of all processes' parts of the data together: the confusion matrices summed, the loss weighted
    /// by each part's examples (collective: every process calls it).
    public func combined(over communicator: Communicator) -> ClassificationReport {
        guard communicator.worldSize > 1 else { return self }
        let examples = Double(confusion.joined().reduce(0, +))
        let sums = communicator.allReduceSum(confusion.joined().map(Double.init) + [loss * examples])
        let classes = confusion.count
        let counts = (0..<classes).map { row in (0..<classes).map { Int(sums[row * classes + $0]) } }
        return ClassificationReport(confusion: counts, lossSum: sums.last!)
    }
}
