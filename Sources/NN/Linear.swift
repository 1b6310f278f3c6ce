import Foundation
import TensorCore

/// A fully connected layer: `y = x · weightᵀ + bias`, as PyTorch's `nn.Linear`.
///
/// `weight` is `[outFeatures, inFeatures]` and `bias` `[outFeatures]`, exactly as PyTorch stores them, so
/// PyTorch checkpoints load unchanged. Both start uniform in ±1/√inFeatures (PyTorch's default: Kaiming-uniform
/// with a = √5 gives that bound for the weight).
///
/// **Shapes:** `[..., inFeatures]` → `[..., outFeatures]`.
public final class Linear: Module, ActivatedProduct {
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

    public override func forward(_ input: Tensor) -> Tensor { activated(input, .identity) }

    /// This layer followed by `activation`, as one product (`Sequential` runs `Linear → ReLU` so).
    func activated(_ input: Tensor, _ activation: Activation) -> Tensor {
        linear(input, weight: weight, bias: bias, activation: activation)
    }

    public override var extraDescription: String {
        "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(bias == nil ? "False" : "True")"
    }
}
