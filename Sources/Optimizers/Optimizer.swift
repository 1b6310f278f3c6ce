import Foundation
import TensorCore

/// Updates parameters from their gradients, as a `torch.optim` optimizer.
///
/// ```swift
/// let optimizer = SGD(model.parameters(), learningRate: 0.1, momentum: 0.9)
/// optimizer.zeroGrad()
/// crossEntropy(logits: model(x), targets: y).backward()
/// optimizer.step()
/// ```
public protocol Optimizer: AnyObject {
    /// The tensors it updates.
    var parameters: [Tensor] { get }
    /// The step size; a schedule may change it between steps.
    var learningRate: Float { get set }
    /// Updates every parameter that has a gradient, in place.
    func step()
    /// The optimizer's running state (momentum buffers, moment estimates, step count) by name, to save with a
    /// checkpoint so that training resumes exactly.
    func stateDict() -> [String: Tensor]
    /// Restores state saved by ``stateDict()`` for the same parameters.
    func loadStateDict(_ state: [String: Tensor]) throws
}

/// Optimizer state that does not fit the optimizer's parameters.
public struct OptimizerStateError: Error, CustomStringConvertible {
    /// What does not fit.
    public let description: String
}

/// Loads per-parameter state tensors named `prefix.i` into `slots`, checking shapes against the parameters.
func loadSlots(_ state: [String: Tensor], prefix: String, parameters: [Tensor]) throws -> [Tensor?] {
    try parameters.enumerated().map { i, parameter in
        guard let value = state["\(prefix).\(i)"] else { return nil }
        guard value.shape == parameter.shape else {
            throw OptimizerStateError(description: "optimizer state \(prefix).\(i) has shape \(value.shape), parameter \(i) has \(parameter.shape)")
        }
        return value.copied()
    }
}

extension Optimizer {
    /// Clears every parameter's gradient.
    public func zeroGrad() {
        for parameter in parameters { parameter.zeroGrad() }
    }
}

/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay, exactly as
/// `torch.optim.SGD`:
///
///     g ← grad + weightDecay·p
///     b ← g on the first step, else momentum·b + (1 − dampening)·g
///     g ← g + momentum·b (Nesterov) or b (momentum > 0)
///     p ← p − learningRate·g
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    /// Momentum factor (0: plain SGD).
    public let momentum: Float
    /// Dampening of the momentum's new gradient.
    public let dampening: Float
    /// Use Nesterov momentum.
    public let nesterov: Bool
    /// L2 penalty added to the gradient.
    public let weightDecay: Float
    private var buffers: [Tensor?]

    /// SGD over `parameters` (a model's `parameters()`), with PyTorch's defaults.
    public init(_ parameters: [Tensor], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                nesterov: Bool = false, weightDecay: Float = 0) {
        require(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov needs momentum and no dampening")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        buffers = Array(repeating: nil, count: parameters.count)
    }

    public func step() {
        for (i, p) in parameters.enumerated() {
            guard let grad = p.grad?.contiguous() else { continue }
            let first = momentum != 0 && buffers[i] == nil
            if first { buffers[i] = Tensor.zeros(p.shape) }
            let buffer = buffers[i]
            p.withUnsafeMutableScalars { p in
                grad.withUnsafeMutableScalars { g in
                    let settings = SGDSettings(learningRate: learningRate, momentum: momentum, dampening: dampening,
                                               nesterov: nesterov, weightDecay: weightDecay)
                    let kernels = Kernels.active
                    let update = { (b: UnsafeMutablePointer<Float>?) in
                        Parallelism.forEachPiece(of: p.count) { range in
                            kernels.sgdUpdate(range, p: p.baseAddress!, g: g.baseAddress!, b: b, first: first,
                                              settings: settings)
                        }
                    }
                    if let buffer { buffer.withUnsafeMutableScalars { update($0.baseAddress!) } } else { update(nil) }
                }
            }
        }
    }

    public func stateDict() -> [String: Tensor] {
        var state: [String: Tensor] = [:]
        for (i, buffer) in buffers.enumerated() { if let buffer { state["momentum.\(i)"] = buffer } }
        return state
    }

    public func loadStateDict(_ state: [String: Tensor]) throws {
        buffers = try loadSlots(state, prefix: "momentum", parameters: parameters)
    }
}

/// Adam (Kingma & Ba), as `torch.optim.Adam`, with weight decay as an L2 term added to the gradient:
///
///     g ← grad + weightDecay·p;  m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²
///     p ← p − (learningRate / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
public class Adam: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    /// Decay rates of the first and second moment estimates. Doubles, as PyTorch's: the corrections 1 − βᵗ and
    /// the weights 1 − β are computed from them in double precision (0.999 as a Float puts 1 − β 1.3e-5 off).
    public let betas: (Double, Double)
    /// Added to the denominator for stability.
    public let epsilon: Float
    /// Weight decay: an L2 term for `Adam`, decoupled for `AdamW`.
    public let weightDecay: Float
    private var moments: [(m: Tensor, v: Tensor)?]
    private var stepCount = 0

    /// Adam over `parameters`, with PyTorch's defaults.
    public init(_ parameters: [Tensor], learningRate: Float = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.betas = betas
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        moments = Array(repeating: nil, count: parameters.count)
    }

    /// Whether weight decay shrinks the parameters directly (AdamW) instead of joining the gradient.
    var decouplesWeightDecay: Bool { false }

    public func step() {
        stepCount += 1
        // In closed form, as PyTorch's `1 - beta1 ** step`: constant time at any step count.
        let correction1 = Float(1 - Foundation.pow(betas.0, Double(stepCount)))
        let correction2Root = Float((1 - Foundation.pow(betas.1, Double(stepCount))).squareRoot())
        // Decoupled decay (AdamW) shrinks the parameter first; L2 decay (Adam) joins the gradient.
        let settings = AdamSettings(
            stepSize: learningRate / correction1, keep1: Float(1 - betas.0), beta2: Float(betas.1),
            keep2: Float(1 - betas.1), correction2Root: correction2Root, epsilon: epsilon,
            shrink: decouplesWeightDecay && weightDecay != 0 ? 1 - learningRate * weightDecay : 1,
            l2: decouplesWeightDecay ? 0 : weightDecay)
        let kernels = Kernels.active
        for (i, p) in parameters.enumerated() {
            guard let grad = p.grad?.contiguous() else { continue }
            let state = moments[i] ?? (Tensor.zeros(p.shape), Tensor.zeros(p.shape))
            moments[i] = state
            p.withUnsafeMutableScalars { p in
                grad.withUnsafeMutableScalars { g in
                    state.m.withUnsafeMutableScalars { m in
                        state.v.withUnsafeMutableScalars { v in
                            Parallelism.forEachPiece(of: p.count) { range in
                                kernels.adamUpdate(range, p: p.baseAddress!, g: g.baseAddress!, m: m.baseAddress!,
                                                   v: v.baseAddress!, settings: settings)
                            }
                        }
                    }
                }
            }
        }
    }

    public func stateDict() -> [String: Tensor] {
        var state: [String: Tensor] = ["step": Tensor(scalar: Float(stepCount))]
        for (i, moment) in moments.enumerated() {
            if let moment {
                state["m.\(i)"] = moment.m
                state["v.\(i)"] = moment.v
            }
        }
        return state
    }

    public func loadStateDict(_ state: [String: Tensor]) throws {
        let m = try loadSlots(state, prefix: "m", parameters: parameters)
        let v = try loadSlots(state, prefix: "v", parameters: parameters)
        moments = zip(m, v).map { m, v in m.flatMap { m in v.map { (m, $0) } } }
        stepCount = Int(state["step"]?.item() ?? 0)
    }
}

/// Adam with decoupled weight decay (Loshchilov & Hutter), as `torch.optim.AdamW`: before the Adam update,
/// p ← p·(1 − learningRate·weightDecay).
public final class AdamW: Adam {
    /// AdamW over `parameters`, with PyTorch's defaults (weight decay 0.01).
    public override init(_ parameters: [Tensor], learningRate: Float = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                         epsilon: Float = 1e-8, weightDecay: Float = 1e-2) {
        super.init(parameters, learningRate: learningRate, betas: betas, epsilon: epsilon, weightDecay: weightDecay)
    }

    override var decouplesWeightDecay: Bool { true }
}
