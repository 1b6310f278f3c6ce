import TensorCore

/// Modules applied in order, as `nn.Sequential`; its parameters are named `0.weight`, `2.bias`, ….
///
/// ``fused()`` gives the same model (the same layer objects, the same state-dict keys) with runs of layers that
/// can work as one op doing so: `Linear → ReLU` as one product with the ReLU applied as it stores its output,
/// `BatchNorm2d → ReLU → MaxPool2d` in one pass, and whatever a ``FusibleModule`` of yours offers. The same values
/// and gradients, in fewer passes over memory and with no intermediate tensor kept.
///
/// ```swift
/// let model = Sequential {
///     Linear(784, 50)
///     ReLU()
///     Linear(50, 10)
/// }.fused()
/// ```
public final class Sequential: Module {
    /// The modules, in order.
    public let layers: [Module]
    /// The fused runs: the first layer's index and its step, for ``fused()``'s copy; empty otherwise.
    private let steps: [Int: FusedStep]

    /// From an array of modules.
    public init(_ layers: [Module]) { (self.layers, steps) = (layers, [:]) }

    /// From a list of modules, one per line.
    public convenience init(@ModuleBuilder _ layers: () -> [Module]) { self.init(layers()) }

    private init(_ layers: [Module], steps: [Int: FusedStep]) { (self.layers, self.steps) = (layers, steps) }

    /// This model with its layers fused where a layer offers it (``FusibleModule/fused(with:)``, asked in order,
    /// each step taking the layers it covers out of the run). It shares the layers, so training one trains the
    /// other, and has the same state-dict keys. A layer with a hook (``Module/registerForwardHook(_:)``) runs
    /// its fused step on its own, layer by layer, so that each hook sees its own layer's output.
    public func fused() -> Sequential {
        var steps: [Int: FusedStep] = [:]
        var i = 0
        while i < layers.count {
            if let step = (layers[i] as? FusibleModule)?.fused(with: layers[(i + 1)...]) {
                require(i + step.followers < layers.count,
                        "Sequential.fused: \(type(of: layers[i])) at \(i) fused \(step.followers) of the \(layers.count - i - 1) layers after it")
                steps[i] = step
                i += 1 + step.followers
            } else {
                i += 1
            }
        }
        return Sequential(layers, steps: steps)
    }

    /// Whether some of this model's layers run as one op (a ``fused()`` model with a run to fuse).
    public var isFused: Bool { !steps.isEmpty }

    public override func forward(_ input: Tensor) -> Tensor {
        var (x, i) = (input, 0)
        while i < layers.count {
            if let step = steps[i], !layers[i...(i + step.followers)].contains(where: \.hasHooks) {
                x = step.forward(x)
                i += 1 + step.followers
            } else {
                x = layers[i](x)
                i += 1
            }
        }
        return x
    }

    public override func namedChildren() -> [(String, Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element) }
    }
}

/// Builds the module list of `Sequential { ... }`.
@resultBuilder
public enum ModuleBuilder {
    public static func buildExpression(_ module: Module) -> [Module] { [module] }
    public static func buildExpression(_ modules: [Module]) -> [Module] { modules }
    public static func buildBlock(_ parts: [Module]...) -> [Module] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [Module]?) -> [Module] { part ?? [] }
    public static func buildEither(first: [Module]) -> [Module] { first }
    public static func buildEither(second: [Module]) -> [Module] { second }
    public static func buildArray(_ parts: [[Module]]) -> [Module] { parts.flatMap { $0 } }
}

/// Merges axes `startAxis...` into one, as `nn.Flatten`. **Shapes:** `[n, 1, 28, 28]` → `[n, 784]`.
public final class Flatten: Module {
    /// The first axis merged (default 1: keep the batch axis).
    public let startAxis: Int
    /// Flattens axes `startAxis...`.
    public init(startAxis: Int = 1) { self.startAxis = startAxis }
    public override func forward(_ input: Tensor) -> Tensor {
        input.reshaped(to: Array(input.shape.prefix(startAxis)) + [-1])
    }
}
