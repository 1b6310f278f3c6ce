/// Whether ops record the graph that ``Tensor/backward(gradient:retainGraph:)`` walks.
enum GradMode {
    @TaskLocal static var isEnabled = true
}

/// Runs `body` without recording operations for autograd, as PyTorch's `torch.no_grad()`.
///
/// Use it for evaluation and for in-place parameter updates.
public func withoutGradient<Result>(_ body: () throws -> Result) rethrows -> Result {
    try GradMode.$isEnabled.withValue(false, operation: body)
}

/// Whether autograd is currently recording operations on this thread.
public var isGradientRecordingEnabled: Bool { GradMode.isEnabled }

/// Whether an op on these tensors would be recorded for a backward pass.
func recordsGradient(_ tensors: Tensor?...) -> Bool {
    GradMode.isEnabled && tensors.contains { $0?.requiresGrad == true }
}

/// One recorded op: the tensors it read and the pullback that maps the gradient of its output to theirs.
final class GradFunction {
    let name: String
    private(set) var inputs: [Tensor]
    private(set) var pullback: ((Tensor) -> [Tensor?])?

    init(name: String, inputs: [Tensor], pullback: @escaping (Tensor) -> [Tensor?]) {
        self.name = name
        self.inputs = inputs
        self.pullback = pullback
    }

    /// Drops the saved tensors once a backward pass that does not retain the graph has used them.
    func release() {
        inputs = []
        pullback = nil
    }
}

extension Tensor {
    /// Records that `self` was computed by op `name` from `inputs`, when recording is on and any input
    /// requires gradients. The pullback returns one gradient per input (`nil` where none is needed), each
    /// shaped like `self` or like the input: the engine sums broadcast axes away. A pullback that needs the
    /// output's values captures `detached()` of it, never the output itself, which would hold its own
    /// `gradFunction` in a reference cycle and leak the graph when no backward pass frees it.
    @discardableResult
    func recorded(_ name: String, _ inputs: [Tensor], _ pullback: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        gradFunction = GradFunction(name: name, inputs: inputs, pullback: pullback)
        requiresGrad = true
        return self
    }

    /// ``recorded(_:_:_:)`` for an op of one input. Without a gradient to record, neither the input array nor
    /// the pullback closure is built (an autoclosure: an escaping closure argument is allocated, with its
    /// captures retained, before the call): the array was a sixth of a small op's cost, the closure an eighth
    /// of a small matmul's.
    @inline(__always)
    func recorded(_ name: String, _ input: Tensor, _ pullback: @autoclosure () -> (Tensor) -> [Tensor?]) -> Tensor {
        guard input.requiresGrad else { return self }
        return recorded(name, [input], pullback())
    }

    /// ``recorded(_:_:_:)`` for an op of two inputs, building the input array and the pullback only when a
    /// gradient is needed.
    @inline(__always)
    func recorded(_ name: String, _ a: Tensor, _ b: Tensor, _ pullback: @autoclosure () -> (Tensor) -> [Tensor?]) -> Tensor {
        guard a.requiresGrad || b.requiresGrad else { return self }
        return recorded(name, [a, b], pullback())
    }

    /// Whether this tensor is a leaf of the graph: created by the user rather than computed by a recorded op.
    public var isLeaf: Bool { gradFunction == nil }

    /// Keeps the gradient of this computed (non-leaf) tensor in ``grad`` during the next backward pass,
    /// as PyTorch's `retain_grad()`.
    public func retainGrad() { keepsGrad = true }

    /// Clears the accumulated gradient.
    public func zeroGrad() { grad = nil }

    /// The same values cut off from the graph: a view of the same storage that does not require gradients.
    public func detached() -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset)
    }

    /// A differentiable op of your own, as a subclass of PyTorch's `torch.autograd.Function`: `value` is the op's
    /// result, computed from `inputs` however you like (ops on them are not recorded: compute it inside
    /// `withoutGradient` or from detached inputs), and `pullback` maps the gradient of the result to one gradient
    /// per input, in order (`nil` where an input needs none; shaped like the input, or like the result where the
    /// input was broadcast). Returns `value` recorded as op `name` when gradients are being recorded and an input
    /// requires them; otherwise `value` itself. A pullback that needs the result captures `result.detached()`, not
    /// the returned tensor (which would hold its own graph alive).
    ///
    /// ```swift
    /// func softplus(_ x: Tensor) -> Tensor {
    ///     let y = withoutGradient { (x.exp() + 1).log() }
    ///     return Tensor.custom("softplus", inputs: [x], value: y) { g in [g * x.detached().sigmoid()] }
    /// }
    /// ```
    public static func custom(_ name: String, inputs: [Tensor], value: Tensor,
                              pullback: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        value.detached().recorded(name, inputs) { gradient in
            let gradients = pullback(gradient)
            require(gradients.count == inputs.count,
                    "Tensor.custom '\(name)': the pullback returned \(gradients.count) gradients for \(inputs.count) inputs")
            return gradients
        }
    }

    /// The same values (a view of the same storage) with `observe` called with their gradient when a backward pass
    /// reaches them, before it flows on: PyTorch's `tensor.register_hook` for watching gradients, as a new tensor
    /// so that the one it was made from stays as it was. Without a gradient being recorded it is a plain view and
    /// `observe` is never called.
    public func observingGradient(_ observe: @escaping (Tensor) -> Void) -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset)
            .recorded("gradient hook", [self]) { gradient in
                observe(gradient)
                return [gradient]
            }
    }

    /// Sets ``requiresGrad`` and returns `self`, for chaining: `Tensor.randn([3, 4]).requiringGrad()`.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        requiresGrad = flag
        return self
    }

    /// Computes the gradient of this tensor with respect to every leaf that requires gradients, and adds it to
    /// each leaf's ``grad``.
    ///
    /// - Parameters:
    ///   - gradient: the gradient of some final scalar with respect to `self`, shaped like `self`; omit it for a
    ///     one-element tensor (a loss), where it is 1.
    ///   - retainGraph: keep the recorded graph so that `backward` can run through it again; by default the
    ///     saved tensors are freed.
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false) {
        let seed: Tensor
        if let gradient {
            require(gradient.shape == shape,
                    "backward: gradient of shape \(Shapes.text(gradient.shape)) does not match the tensor's \(Shapes.text(shape))")
            seed = gradient
        } else {
            require(count == 1, "backward: called without a gradient on a tensor of shape \(Shapes.text(shape)); only a one-element tensor (a loss) has an implied gradient of 1")
            seed = Tensor.full(shape, 1, dtype: dtype)
        }
        require(requiresGrad, "backward: the tensor does not require gradients (no input of it has requiresGrad = true)")
        let order = topologicalOrder()
        var gradients: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        withoutGradient {
            for tensor in order.reversed() {
                guard var g = gradients.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
                if let function = tensor.gradFunction {
                    if tensor.keepsGrad { tensor.accumulateGrad(&g) }
                    guard let pullback = function.pullback else {
                        fatalError("backward: the graph through '\(function.name)' was already freed by an earlier backward(); pass retainGraph: true to the first call to run backward twice")
                    }
                    let inputGradients = pullback(g)
                    for (input, inputGradient) in zip(function.inputs, inputGradients) {
                        guard input.requiresGrad, let inputGradient else { continue }
                        let reduced = inputGradient.summed(toShape: input.shape)
                        let key = ObjectIdentifier(input)
                        if let existing = gradients[key] {
                            gradients[key] = existing + reduced
                        } else {
                            gradients[key] = reduced
                        }
                    }
                    if !retainGraph { function.release() }
                } else if tensor.requiresGrad {
                    tensor.accumulateGrad(&g)
                }
            }
        }
    }

    /// Tensors reachable from `self` through recorded ops, each after all of its inputs. Iterative, so deep
    /// graphs cannot overflow the stack.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded {
                order.append(tensor)
                continue
            }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            for input in tensor.gradFunction?.inputs ?? [] where input.requiresGrad
                && !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }

    /// Adds `g` into ``grad``. The first gradient is adopted as it is when nothing else can see its storage
    /// (no copy of a large weight gradient); otherwise it is copied, so later in-place accumulation cannot
    /// write into a tensor that something else holds.
    private func accumulateGrad(_ g: inout Tensor) {
        if let grad, grad.shape == g.shape, grad.dtype == g.dtype {
            grad += g
        } else if g.isContiguous && g.offset == 0 && g.count == g.storage.count && isKnownUniquelyReferenced(&g)
                    && isKnownUniquelyReferenced(&g.storage) {
            grad = g.detached()
        } else {
            grad = g.copied()
        }
    }

    /// `self` summed over the axes that broadcasting stretched, so that it has `target`'s shape.
    func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        var axes = Array(0..<lead)
        for i in 0..<target.count where target[i] == 1 && shape[i + lead] != 1 { axes.append(i + lead) }
        var result = self
        for axis in axes.reversed() { result = result.sum(axis: axis, keepDims: true) }
        return result.reshaped(to: target)
    }
}
