import TensorCore

/// Scales all gradients down together when their joint L2 norm exceeds ``maximumNorm``, as PyTorch's
/// `clip_grad_norm_`: each gradient is multiplied by `maximumNorm / (norm + 1e-6)`. Runs after the backward pass,
/// before the optimizer's step; ``lastNorm`` is the norm before clipping.
public final class GradientClipping: Callback {
    /// The largest joint norm let through.
    public let maximumNorm: Double
    /// The joint norm of the last batch's gradients, before clipping.
    public private(set) var lastNorm = 0.0

    /// Clips to `maximumNorm` (positive).
    public init(maximumNorm: Double) {
        require(maximumNorm > 0 && maximumNorm.isFinite, "GradientClipping: maximumNorm must be positive, got \(maximumNorm)")
        self.maximumNorm = maximumNorm
    }

    public func afterBackward(_ learner: Learner) throws {
        let gradients = learner.optimizer.parameters.compactMap(\.grad)
        let squares = gradients.reduce(0.0) { $0 + Double($1.pow(2).sum().item()) }
        lastNorm = squares.squareRoot()
        guard lastNorm > maximumNorm else { return }
        let scale = Float(maximumNorm / (lastNorm + 1e-6))
        for gradient in gradients { gradient.replaceValues(with: gradient * scale) }
    }
}
