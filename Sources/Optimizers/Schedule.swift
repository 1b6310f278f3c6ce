import Foundation

/// A learning rate as a function of the step (0-based), set on the optimizer before each step.
public enum LearningRateSchedule: Sendable, Equatable {
    /// The same rate throughout.
    case constant(Float)
    /// `rate · gamma^⌊step / stepSize⌋`, as `StepLR`.
    case step(rate: Float, stepSize: Int, gamma: Float)
    /// Cosine annealing from `rate` to `minimum` over `totalSteps`, as `CosineAnnealingLR`.
    case cosine(rate: Float, totalSteps: Int, minimum: Float = 0)
    /// The one-cycle policy fast.ai trains with, as `OneCycleLR` (cosine annealing): from
    /// `maximum / divFactor` up to `maximum` over the first `warmupFraction` of the steps, then down to
    /// `maximum / (divFactor · finalDivFactor)`.
    case oneCycle(maximum: Float, totalSteps: Int, warmupFraction: Float = 0.3, divFactor: Float = 25,
                  finalDivFactor: Float = 1e4)

    /// The rate at `step`.
    public func rate(at step: Int) -> Float {
        func cosineBetween(_ start: Float, _ end: Float, _ fraction: Float) -> Float {
            end + (start - end) / 2 * (1 + Float(cos(Double.pi * Double(Swift.min(Swift.max(fraction, 0), 1)))))
        }
        switch self {
        case .constant(let rate):
            return rate
        case .step(let rate, let stepSize, let gamma):
            return rate * Float(pow(Double(gamma), Double(step / Swift.max(stepSize, 1))))
        case .cosine(let rate, let total, let minimum):
            return cosineBetween(rate, minimum, Float(step) / Float(Swift.max(total, 1)))
        case .oneCycle(let maximum, let total, let warmup, let divFactor, let finalDivFactor):
            let initial = maximum / divFactor
            let final = initial / finalDivFactor
            let warmupEnd = Float(warmup) * Float(total) - 1
            let current = Float(step)
            if current <= warmupEnd {
                return cosineBetween(initial, maximum, current / Swift.max(warmupEnd, 1))
            }
            return cosineBetween(maximum, final, (current - warmupEnd) / Swift.max(Float(total) - 1 - warmupEnd, 1))
        }
    }
}
