import TensorCore

/// Modules applied in order, as `nn.Sequential`; its parameters are named `0.weight`, `2.bias`, ….
///
/// A batch norm followed by `ReLU` (and then by `MaxPool2d` on 4-d input) runs as one op,
/// `batchNormReLU(_:runningMean:runningVariance:weight:bias:training:momentum:epsilon:maxPool:)`, and a `Linear`
/// or `Conv2d` followed by `ReLU` as one product with the ReLU applied as it stores its output
/// (`linear(_:weight:bias:activation:)`, `conv2d(_:_:bias:stride:padding:dilation:groups:activation:)`): the
/// same values and gradients in fewer passes over memory, with no intermediate tensor kept. A layer with a hook
/// (``Module/registerForwardHook(_:)``) runs on its own.
///
/// ```swift
/// let model = Sequential {
///     Linear(784, 50)
///     ReLU()
///     Linear(50, 10)
/// }
/// ```
public final class Sequential: Module {
    /// The modules, in order.
    public let layers: [Module]

    /// From an array of modules.
    public init(_ layers: [Module]) { self.layers = layers }

    /// From a list of modules, one per line.
    public convenience init(@ModuleBuilder _ layers: () -> [Module]) { self.init(layers()) }

    public override func forward(_ input: Tensor) -> Tensor {
        var (x, i) = (input, 0)
        // Layers with hooks run on their own, so that each hook sees its layer's own output.
        func unhooked(_ index: Int) -> Module? { index < layers.count && !layers[index].hasHooks ? layers[index] : nil }
        while i < layers.count {
            if let norm = unhooked(i) as? BatchNorm, unhooked(i + 1) is ReLU {
                let pool = x.rank == 4 ? unhooked(i + 2) as? MaxPool2d : nil
                x = norm.normalizedReLU(x, maxPool: pool)
                i += pool == nil ? 2 : 3
            } else if let layer = unhooked(i) as? ActivatedProduct, unhooked(i + 1) is ReLU {
                x = layer.activated(x, .relu)
                i += 2
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

/// A layer that is one product and can apply an activation as the product stores its output (`Linear`, `Conv2d`),
/// so that `Sequential` runs it and a following `ReLU` as one call.
protocol ActivatedProduct {
    /// The layer followed by `activation`.
    func activated(_ input: Tensor, _ activation: Activation) -> Tensor
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
