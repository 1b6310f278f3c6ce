import Foundation
import TensorCore

/// A fully connected layer: `y = x · weightᵀ + bias`, as PyTorch's `nn.Linear`.
///
/// `weight` is `[outFeatures, inFeatures]` and `bias` `[outFeatures]`, exactly as PyTorch stores them, so
/// PyTorch checkpoints load unchanged. Both start uniform in ±1/√inFeatures (PyTorch's default: Kaiming-uniform
/// with a = √5 gives that bound for the weight).
///
/// **Shapes:** `[..., inFeatures]` → `[..., outFeatures]`.
public final class Linear: Module {
    /// `[outFeatures, inFeatures]`
    public let weight: Tensor
    /// `[outFeatures]`, or nil for a layer built with `bias: false`.
    public let bias: Tensor?

    /// A layer with fresh parameters drawn from `generator` (the global one by default).
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: RandomGenerator? = nil) {
        let bound = Float(1 / Double(inFeatures).squareRoot())
        weight = Tensor.rand([outFeatures, inFeatures], low: -bound, high: bound, generator: generator)
            .requiringGrad()
        self.bias = bias ? Tensor.rand([outFeatures], low: -bound, high: bound, generator: generator).requiringGrad()
            : nil
    }

    /// Input features.
    public var inFeatures: Int { weight.shape[1] }
    /// Output features.
    public var outFeatures: Int { weight.shape[0] }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        let product = input.matmul(weight.transposed())
        guard let bias else { return product }
        return product + bias
    }

    public override var extraDescription: String {
        "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(bias == nil ? "False" : "True")"
    }
}

/// max(x, 0), as `nn.ReLU`. **Shapes:** unchanged.
public final class ReLU: Module {
    public override init() {}
    public override func callAsFunction(_ input: Tensor) -> Tensor { input.relu() }
}

/// 1 / (1 + e^−x), as `nn.Sigmoid`. **Shapes:** unchanged.
public final class Sigmoid: Module {
    public override init() {}
    public override func callAsFunction(_ input: Tensor) -> Tensor { input.sigmoid() }
}

/// tanh(x), as `nn.Tanh`. **Shapes:** unchanged.
public final class Tanh: Module {
    public override init() {}
    public override func callAsFunction(_ input: Tensor) -> Tensor { input.tanh() }
}

/// Merges axes `startAxis...` into one, as `nn.Flatten`. **Shapes:** `[n, 1, 28, 28]` → `[n, 784]`.
public final class Flatten: Module {
    /// The first axis merged (default 1: keep the batch axis).
    public let startAxis: Int
    /// Flattens axes `startAxis...`.
    public init(startAxis: Int = 1) { self.startAxis = startAxis }
    public override func callAsFunction(_ input: Tensor) -> Tensor {
        input.reshaped(to: Array(input.shape.prefix(startAxis)) + [-1])
    }
}

/// Zeroes each element with probability `p` during training and scales the rest by 1/(1 − p), as
/// `nn.Dropout`; does nothing in evaluation mode. **Shapes:** unchanged.
public final class Dropout: Module {
    /// The probability of zeroing an element.
    public let p: Float
    private let generator: RandomGenerator?

    /// - Parameter generator: where the masks come from (the global generator by default), for reproducible runs.
    public init(_ p: Float = 0.5, generator: RandomGenerator? = nil) {
        require(p >= 0 && p < 1, "Dropout: p must be in [0, 1), got \(p)")
        self.p = p
        self.generator = generator
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        guard isTraining, p > 0 else { return input }
        let keep = Tensor.rand(input.shape, dtype: input.dtype, generator: generator) .>= p
        return input * keep / (1 - p)
    }

    public override var extraDescription: String { "p=\(p)" }
}

/// Modules applied in order, as `nn.Sequential`; its parameters are named `0.weight`, `2.bias`, ….
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

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        layers.reduce(input) { x, layer in layer(x) }
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
