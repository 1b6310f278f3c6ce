import TensorCore

/// Ends the fit (``Cancellation/fit``) when a validation figure has not improved for ``patience`` epochs: the
/// loss (`"loss"`, lower is better) or a metric of a ``Metrics`` callback (higher is better unless told).
public final class EarlyStopping: Callback {
    /// The figure watched: `"loss"` or a metric's name.
    public let monitor: String
    /// Whether larger values are better.
    public let higherIsBetter: Bool
    /// Epochs without improvement tolerated.
    public let patience: Int
    /// The least change that counts as an improvement.
    public let minimumDelta: Double
    /// The best value seen, and the epoch (from 1) it was seen in.
    public private(set) var best: (value: Double, epoch: Int)?

    /// Stops after `patience` epochs in which `monitor` did not improve by more than `minimumDelta`.
    public init(monitor: String = "loss", higherIsBetter: Bool? = nil, patience: Int = 3, minimumDelta: Double = 0) {
        require(patience >= 0, "EarlyStopping: patience must not be negative, got \(patience)")
        self.monitor = monitor
        self.higherIsBetter = higherIsBetter ?? (monitor != "loss")
        self.patience = patience
        self.minimumDelta = minimumDelta
    }

    /// Runs after the other callbacks' `afterEpoch` (a checkpoint of the last epoch is written first).
    public var order: Int { 50 }

    public func beforeFit(_ learner: Learner) throws {
        best = nil
    }

    public func afterEpoch(_ learner: Learner) throws {
        guard let record = learner.history.last else { return }
        guard let value = monitor == "loss" ? record.validationLoss : record.metrics[monitor] else {
            throw EarlyStoppingError(monitor: monitor, available: ["loss"] + record.metrics.keys.sorted(),
                                     validated: record.validationLoss != nil)
        }
        let improved = best.map { higherIsBetter ? value > $0.value + minimumDelta : value < $0.value - minimumDelta } ?? true
        if improved { best = (value, record.epoch) }
        if let best, record.epoch - best.epoch > patience { throw Cancellation.fit }
    }
}

/// ``EarlyStopping`` watching a figure the validation does not produce.
public struct EarlyStoppingError: Error, CustomStringConvertible {
    /// The figure asked for.
    public let monitor: String
    /// The figures there are.
    public let available: [String]
    /// Whether the learner validates at all.
    public let validated: Bool

    public var description: String {
        validated ? "EarlyStopping watches '\(monitor)', which the validation does not report (it reports \(available.joined(separator: ", ")))"
            : "EarlyStopping needs validation data: the learner has none"
    }
}
