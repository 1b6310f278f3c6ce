import TensorCore

/// The base class of every layer and model, as PyTorch's `nn.Module`.
///
/// Subclasses store their parameters as `Tensor` properties and their sub-modules as `Module`, `Module?` or
/// `[Module]` properties; ``namedParameters()`` finds them by reflection (once per instance, then cached) and
/// names them as PyTorch does: `weight`, `0.bias`, `layers.2.weight`. State that is saved but not trained (batch
/// norm's running statistics) is a `@Buffer` property: ``namedBuffers()`` and the state dict see it, the
/// optimizers (``parameters()``) do not. Properties whose names start with `_` are private to the module and
/// neither. Override ``forward(_:)`` for the forward pass, and call a module as a function, `layer(x)`, which
/// runs its hooks around ``forward(_:)`` as PyTorch's `__call__` does.
///
/// Parameters are found on first use and kept: change a parameter's values in place (as
/// ``loadStateDict(_:strict:assign:)`` and the optimizers do), don't assign a new tensor to the property afterwards.
open class Module: CustomStringConvertible {
    /// Whether the module is in training mode (``train(_:)``) or evaluation mode (``eval()``); `Dropout` reads it.
    public private(set) var isTraining = true
    private var cachedChildren: [(String, Module)]?
    private var cachedOwnParameters: [(String, Tensor)]?
    private var cachedOwnBuffers: [(String, Tensor)]?

    private var forwardHooks: [(id: Int, hook: ForwardHook)] = []
    private var backwardHooks: [(id: Int, hook: BackwardHook)] = []
    private var nextHookID = 0

    /// An empty module; subclasses declare their parameters and sub-modules as stored properties.
    public init() {}

    /// The forward pass. Subclasses override it; callers call the module, `module(x)`, which runs the hooks.
    open func forward(_ input: Tensor) -> Tensor {
        fatalError("\(type(of: self)) does not override forward(_:)")
    }

    /// Runs ``forward(_:)``, then the forward hooks with the input and the output; with backward hooks, the
    /// output returned carries them to the backward pass.
    public final func callAsFunction(_ input: Tensor) -> Tensor {
        if forwardHooks.isEmpty && backwardHooks.isEmpty { return forward(input) }
        var output = forward(input)
        for (_, hook) in forwardHooks { hook(self, input, output) }
        if !backwardHooks.isEmpty {
            output = output.observingGradient { [backwardHooks] gradient in
                for (_, hook) in backwardHooks { hook(self, gradient) }
            }
        }
        return output
    }

    /// What a forward hook receives: the module, its input and its output.
    public typealias ForwardHook = (_ module: Module, _ input: Tensor, _ output: Tensor) -> Void
    /// What a backward hook receives: the module and the gradient of the loss with respect to its output.
    public typealias BackwardHook = (_ module: Module, _ outputGradient: Tensor) -> Void

    /// Calls `hook` after every forward pass of this module, as PyTorch's `register_forward_hook`: to watch
    /// activations (`ActivationStats` in the Training module does). `Sequential` runs a hooked layer on its own,
    /// not fused with its neighbours, so that the hook sees the layer's own output.
    ///
    /// - Returns: a handle whose ``HookHandle/remove()`` removes the hook.
    @discardableResult
    public func registerForwardHook(_ hook: @escaping ForwardHook) -> HookHandle {
        let id = takeHookID()
        forwardHooks.append((id, hook))
        return HookHandle(module: self, id: id)
    }

    /// Calls `hook` with the gradient at this module's output whenever a backward pass reaches it, as PyTorch's
    /// `register_full_backward_hook` (which also passes the input's gradient; this one passes the output's). The
    /// hook fires only for outputs computed while it was registered and gradients were recorded.
    ///
    /// - Returns: a handle whose ``HookHandle/remove()`` removes the hook.
    @discardableResult
    public func registerBackwardHook(_ hook: @escaping BackwardHook) -> HookHandle {
        let id = takeHookID()
        backwardHooks.append((id, hook))
        return HookHandle(module: self, id: id)
    }

    /// Whether any hook is registered on this module (not its children).
    public var hasHooks: Bool { !forwardHooks.isEmpty || !backwardHooks.isEmpty }

    private func takeHookID() -> Int {
        nextHookID += 1
        return nextHookID
    }

    /// Removes the hook `id` (either kind).
    fileprivate func removeHook(_ id: Int) {
        forwardHooks.removeAll { $0.id == id }
        backwardHooks.removeAll { $0.id == id }
    }

    /// Extra text inside the parentheses of the module's `description`, e.g. `in_features=784, out_features=50, bias=True`.
    open var extraDescription: String { "" }

    /// The direct sub-modules with their names, in declaration order.
    open func namedChildren() -> [(String, Module)] {
        if let cachedChildren { return cachedChildren }
        var children: [(String, Module)] = []
        var seen = Set<ObjectIdentifier>()
        forEachStoredProperty { label, value in
            guard !label.hasPrefix("_") else { return }
            func add(_ name: String, _ module: Module) {
                if seen.insert(ObjectIdentifier(module)).inserted { children.append((name, module)) }
            }
            if let module = value as? Module {
                add(label, module)
            } else if let modules = value as? [Module] {
                for (i, module) in modules.enumerated() { add("\(label).\(i)", module) }
            }
        }
        cachedChildren = children
        return children
    }

    /// This module's own parameters (not its children's), in declaration order.
    private func ownParameters() -> [(String, Tensor)] {
        if let cachedOwnParameters { return cachedOwnParameters }
        var parameters: [(String, Tensor)] = []
        forEachStoredProperty { label, value in
            if let tensor = value as? Tensor, !label.hasPrefix("_") { parameters.append((label, tensor)) }
            if let parameter = value as? any NamedParameter, let tensor = parameter.tensor {
                parameters.append((parameter.name, tensor))
            }
        }
        cachedOwnParameters = parameters
        return parameters
    }

    /// This module's own buffers (not its children's), in declaration order, under their state-dict names.
    private func ownBuffers() -> [(String, Tensor)] {
        if let cachedOwnBuffers { return cachedOwnBuffers }
        var buffers: [(String, Tensor)] = []
        forEachStoredProperty { label, value in
            if let buffer = value as? Buffer { buffers.append((buffer.name ?? String(label.dropFirst()), buffer.wrappedValue)) }
        }
        cachedOwnBuffers = buffers
        return buffers
    }

    /// Calls `body` with each stored property's name and value, superclasses' first; `Optional`s are unwrapped
    /// (nil ones skipped). A property wrapper's storage is named with a leading `_`.
    private func forEachStoredProperty(_ body: (String, Any) -> Void) {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let current = mirror {
            mirrors.append(current)
            mirror = current.superclassMirror
        }
        for mirror in mirrors.reversed() where mirror.subjectType != Module.self {
            for child in mirror.children {
                guard let label = child.label else { continue }
                let unwrapped = Mirror(reflecting: child.value)
                if unwrapped.displayStyle == .optional {
                    if let some = unwrapped.children.first { body(label, some.value) }
                } else {
                    body(label, child.value)
                }
            }
        }
    }

    /// Every parameter of this module and its sub-modules with PyTorch's dotted names, each tensor once (a tensor
    /// shared by two layers, such as a GPT's tied embedding and output weights, under its first name).
    public func namedParameters() -> [(String, Tensor)] { collectParameters(keepingShared: false) }

    /// The parameters with their names; a shared tensor under each of its names when `keepingShared`, as
    /// PyTorch's `state_dict()` lists it (its `named_parameters()` lists it once).
    private func collectParameters(keepingShared: Bool) -> [(String, Tensor)] {
        var result: [(String, Tensor)] = []
        var seen = Set<ObjectIdentifier>()
        func visit(_ module: Module, _ prefix: String) {
            for (name, tensor) in module.ownParameters() where seen.insert(ObjectIdentifier(tensor)).inserted || keepingShared {
                result.append((prefix + name, tensor))
            }
            for (name, child) in module.namedChildren() { visit(child, prefix + name + ".") }
        }
        visit(self, "")
        return result
    }

    /// Every buffer of this module and its sub-modules with PyTorch's dotted names (`1.running_mean`).
    public func namedBuffers() -> [(String, Tensor)] {
        var result: [(String, Tensor)] = []
        func visit(_ module: Module, _ prefix: String) {
            for (name, tensor) in module.ownBuffers() { result.append((prefix + name, tensor)) }
            for (name, child) in module.namedChildren() { visit(child, prefix + name + ".") }
        }
        visit(self, "")
        return result
    }

    /// The names and shapes of every parameter as the module's stored properties hold them now, found afresh
    /// rather than from the cache ``namedParameters()`` keeps: the Training module compares them before and after
    /// each callback to catch one that swapped a layer.
    package func currentParameterShapes() -> [String] {
        var result: [String] = []
        func visit(_ value: Any, _ prefix: String) {
            guard let module = value as? Module else { return }
            // Sequential's children are its `let` layers, named by position as in its state dict.
            if let sequential = module as? Sequential {
                for (name, child) in sequential.namedChildren() { visit(child, prefix + name + ".") }
                return
            }
            module.forEachStoredProperty { label, value in
                guard !label.hasPrefix("_") else { return }
                if let tensor = value as? Tensor {
                    result.append("\(prefix)\(label) \(tensor.shape)")
                } else if let modules = value as? [Module] {
                    for (i, child) in modules.enumerated() { visit(child, "\(prefix)\(label).\(i).") }
                } else {
                    visit(value, prefix + label + ".")
                }
            }
        }
        visit(self, "")
        return result
    }

    /// Every parameter, in the order of ``namedParameters()``.
    public func parameters() -> [Tensor] { namedParameters().map(\.1) }

    /// Converts the parameters that `shouldConvert` picks (by default every weight matrix: linear, embedding,
    /// attention and convolution weights; not biases and normalisation scales) to `dtype`, in place: the same
    /// tensors, holding their values in half the memory for bfloat16. For inference: a linear layer with a
    /// bfloat16 weight runs a bfloat16 product (float32 sums and output, see `matmul`), an embedding gives its
    /// rows as stored. As MLX's `Module.set(dtype:)`; PyTorch's `model.to(torch.bfloat16)` converts everything.
    ///
    /// ```swift
    /// model.convertParameters(to: .bfloat16)     // weights in bfloat16; biases and norms stay float32
    /// ```
    public func convertParameters(to dtype: DType, where shouldConvert: (String, Tensor) -> Bool = { $1.rank >= 2 }) {
        require(dtype.isFloatingPoint, "convertParameters: \(dtype) is not a floating-point dtype")
        for (name, tensor) in namedParameters() where tensor.dtype != dtype && shouldConvert(name, tensor) {
            tensor.convertStorage(to: dtype)
        }
    }

    /// Total number of scalars in the parameters.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    /// Training mode for this module and all sub-modules.
    public func train(_ on: Bool = true) {
        isTraining = on
        for (_, child) in namedChildren() { child.train(on) }
    }

    /// Evaluation mode (`train(false)`): dropout off.
    public func eval() { train(false) }

    /// Clears every parameter's gradient.
    public func zeroGrad() {
        for parameter in parameters() { parameter.zeroGrad() }
    }

    /// The parameters and buffers by name, sharing storage with the module (PyTorch's `state_dict()`: a tensor
    /// shared by two layers appears under both names).
    public func stateDict() -> [String: Tensor] {
        Dictionary(namedState(), uniquingKeysWith: { first, _ in first })
    }

    /// Parameters, then buffers, with their names.
    private func namedState() -> [(String, Tensor)] { collectParameters(keepingShared: true) + namedBuffers() }

    /// Copies `state`'s tensors into the parameters and buffers of the same names.
    ///
    /// - Parameters:
    ///   - state: tensors by name, as ``stateDict()`` gives them or a safetensors file holds them.
    ///   - strict: require exactly this module's names (the default); otherwise load the names that match and
    ///     ignore the rest. Shapes must match either way.
    ///   - assign: let each parameter use its state tensor's memory instead of copying it, where both are whole
    ///     contiguous tensors of one dtype (others are copied), as PyTorch's `assign=True`: loading a
    ///     memory-mapped safetensors file then copies nothing. The parameters stay the same tensor objects, but
    ///     share memory with `state`'s tensors afterwards: a write to one is seen by the other.
    /// - Throws: ``StateDictError`` naming every missing, unexpected or mis-shaped entry; nothing is copied
    ///   unless everything fits.
    public func loadStateDict(_ state: [String: Tensor], strict: Bool = true, assign: Bool = false) throws {
        let named = namedState()
        let names = Set(named.map(\.0))
        let missing = named.map(\.0).filter { state[$0] == nil }
        let unexpected = state.keys.filter { !names.contains($0) }.sorted()
        let mismatched = named.compactMap { name, tensor -> String? in
            guard let value = state[name], value.shape != tensor.shape else { return nil }
            return "\(name): checkpoint \(value.shape), model \(tensor.shape)"
        }
        if !mismatched.isEmpty || (strict && (!missing.isEmpty || !unexpected.isEmpty)) {
            throw StateDictError(missing: strict ? missing : [], unexpected: strict ? unexpected : [],
                                 mismatchedShapes: mismatched)
        }
        for (name, tensor) in named {
            if let value = state[name], !(assign && tensor.shareStorage(of: value)) { tensor.replaceValues(with: value) }
        }
    }

    /// The module tree, as PyTorch prints it:
    /// ```
    /// Sequential(
    ///   (0): Linear(in_features=784, out_features=50, bias=True)
    ///   (1): ReLU()
    /// )
    /// ```
    public var description: String {
        let name = String(describing: type(of: self))
        let children = namedChildren()
        if children.isEmpty { return "\(name)(\(extraDescription))" }
        var lines = ["\(name)(" + (extraDescription.isEmpty ? "" : extraDescription)]
        for (childName, child) in children {
            let text = child.description.replacingOccurrences(of: "\n", with: "\n  ")
            lines.append("  (\(childName)): \(text)")
        }
        lines.append(")")
        return lines.joined(separator: "\n")
    }
}

/// A state dict that does not fit a model: which names are missing or unexpected, which shapes differ.
public struct StateDictError: Error, CustomStringConvertible, Equatable {
    /// Parameters of the model that the state dict lacks.
    public let missing: [String]
    /// Entries of the state dict that the model has no parameter for.
    public let unexpected: [String]
    /// `name: checkpoint [a, b], model [c, d]` for each shape that differs.
    public let mismatchedShapes: [String]

    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
        if !unexpected.isEmpty { parts.append("unexpected \(unexpected.joined(separator: ", "))") }
        if !mismatchedShapes.isEmpty { parts.append("shape mismatch \(mismatchedShapes.joined(separator: "; "))") }
        return "state dict does not fit the model: " + parts.joined(separator: "; ")
    }
}

/// A tensor a module saves and loads with its state but does not train, as PyTorch's `register_buffer`: batch
/// norm's running statistics. Declared `@Buffer public var runningMean: Tensor` and set in the initialiser as
/// `_runningMean = Buffer(wrappedValue: Tensor.zeros([n]), "running_mean")`, it is saved under `running_mean`;
/// without a name, under the property's own.
@propertyWrapper
public struct Buffer {
    /// The tensor.
    public var wrappedValue: Tensor
    /// The name in the state dict, when it differs from the property's.
    public let name: String?

    /// A buffer holding `wrappedValue`, saved under `name` (the property's name when nil).
    public init(wrappedValue: Tensor, _ name: String? = nil) {
        self.wrappedValue = wrappedValue
        self.name = name
    }
}

/// A parameter saved under a state-dict name other than its property's (PyTorch's `in_proj_weight` for a
/// property named `inProjectionWeight`), as ``Buffer`` does for buffers. The module's ``Module/parameters()``
/// include it.
@propertyWrapper
public struct Parameter: NamedParameter {
    /// The tensor.
    public var wrappedValue: Tensor
    /// The name in the state dict.
    public let name: String

    /// A parameter holding `wrappedValue`, saved under `name`.
    public init(wrappedValue: Tensor, _ name: String) {
        self.wrappedValue = wrappedValue
        self.name = name
    }

    var tensor: Tensor? { wrappedValue }
}

/// ``Parameter`` for a parameter a layer may lack (a bias turned off): nil is no parameter.
@propertyWrapper
public struct OptionalParameter: NamedParameter {
    /// The tensor, or nil.
    public var wrappedValue: Tensor?
    /// The name in the state dict.
    public let name: String

    /// A parameter holding `wrappedValue` (if any), saved under `name`.
    public init(wrappedValue: Tensor?, _ name: String) {
        self.wrappedValue = wrappedValue
        self.name = name
    }

    var tensor: Tensor? { wrappedValue }
}

/// A property wrapper that holds a parameter under a state-dict name of its own.
protocol NamedParameter {
    var name: String { get }
    var tensor: Tensor? { get }
}

/// A registered module hook: ``remove()`` unregisters it, as PyTorch's `RemovableHandle`. Dropping the handle
/// keeps the hook.
public final class HookHandle {
    private weak var module: Module?
    private let id: Int

    init(module: Module, id: Int) {
        self.module = module
        self.id = id
    }

    /// Unregisters the hook; calling it again does nothing.
    public func remove() {
        module?.removeHook(id)
        module = nil
    }
}
