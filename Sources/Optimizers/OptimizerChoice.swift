import TensorCore

/// The optimizers by name, for settings that are saved and read back (a run's checkpoint, a command line):
/// `sgd`, `adam`, `adamw`.
public enum OptimizerKind: String, Codable, CaseIterable, Sendable {
    /// ``SGD`` (with momentum when given one).
    case sgd
    /// ``Adam``.
    case adam
    /// ``AdamW`` (decoupled weight decay).
    case adamw

    /// The optimizer over `parameters`: `momentum` applies to SGD only, `weightDecay` is decoupled for AdamW and
    /// an L2 term for the others.
    public func make(_ parameters: [Tensor], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) -> Optimizer {
        switch self {
        case .sgd: return SGD(parameters, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
        case .adam: return Adam(parameters, learningRate: learningRate, weightDecay: weightDecay)
        case .adamw: return AdamW(parameters, learningRate: learningRate, weightDecay: weightDecay)
        }
    }

    /// "SGD", "Adam", "AdamW".
    public var displayName: String {
        switch self {
        case .sgd: return "SGD"
        case .adam: return "Adam"
        case .adamw: return "AdamW"
        }
    }
}

/// The learning-rate schedules by name, for saved settings: `constant`, `one-cycle`, `cosine`; each becomes a
/// ``LearningRateSchedule`` once the run's length is known.
public enum ScheduleKind: String, Codable, CaseIterable, Sendable {
    /// The rate throughout.
    case constant
    /// ``LearningRateSchedule/oneCycle(maximum:totalSteps:warmupFraction:divFactor:finalDivFactor:)`` with the rate
    /// as its peak.
    case oneCycle = "one-cycle"
    /// ``LearningRateSchedule/cosine(rate:totalSteps:minimum:)`` from the rate down to 0.
    case cosine

    /// The schedule of a run of `totalSteps` optimizer steps at `rate` (the peak for one-cycle).
    public func schedule(rate: Float, totalSteps: Int) -> LearningRateSchedule {
        switch self {
        case .constant: return .constant(rate)
        case .oneCycle: return .oneCycle(maximum: rate, totalSteps: totalSteps)
        case .cosine: return .cosine(rate: rate, totalSteps: totalSteps)
        }
    }
}
