import Foundation
import TensorCore

/// A fully connected layer: `y = activation(x · weightᵀ + bias)`, as PyTorch's `nn.Linear` (followed by the
/// activation, which the product applies as it stores its output: `Linear(512, 2048, activation: .gelu)`).
///
/// `weight` is `[outFeatures, inFeatures]` and `bias` `[outFeatures]`, exactly as PyTorch stores them, so
/// PyTorch checkpoints load unchanged. Both start uniform in ±1/√inFeatures (PyTorch's default: Kaiming-uniform
/// with a = √5 gives that bound for the weight).
///
/// Subclasses (a LoRA adapter, say) override ``forward(_:then:)``, the one forward pass that both a plain call and
/// a fused `Sequential` run.
///
/// **Shapes:** `[..., inFeatures]` → `[..., outFeatures]`.
open class Linear: Module, FusibleModule {
    /// `[outFeatures, inFeatures]`
    public let weight: Tensor
    /// `[outFeatures]`, or nil for a layer built with `bias: false`.
    public let bias: Tensor?
    /// What follows the product (`Activation.identity` by default).
    public let activation: Activation

    /// A layer with fresh parameters drawn from `generator` (the global one by default).
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, activation: Activation = .identity,
                generator: RandomGenerator? = nil) {
        let bound = Float(1 / Double(inFeatures).squareRoot())
        weight = Tensor.rand([outFeatures, inFeatures], low: -bound, high: bound, generator: generator)
            .requiringGrad()
        self.bias = bias ? Tensor.rand([outFeatures], low: -bound, high: bound, generator: generator).requiringGrad()
            : nil
        self.activation = activation
    }

    /// A layer over existing tensors: `weight` `[out, in]` and `bias` `[out]` are used as they are, not copied, so a
    /// weight can be shared with another layer (a GPT's output layer and its token embedding).
    public init(weight: Tensor, bias: Tensor? = nil, activation: Activation = .identity) {
        require(weight.rank == 2 && (bias == nil || bias!.shape == [weight.shape[0]]),
                "Linear: weight must be [out, in] and bias [out], got \(weight.shape) and \(bias?.shape ?? [])")
        (self.weight, self.bias, self.activation) = (weight, bias, activation)
    }

    /// Input features.
    public var inFeatures: Int { weight.shape[1] }
    /// Output features.
    public var outFeatures: Int { weight.shape[0] }

    public final override func forward(_ input: Tensor) -> Tensor { forward(input, then: .identity) }

    /// This layer followed by `following`: one product, with the activation applied as it stores its output, when
    /// the layer has no activation of its own.
    ///
    /// **Shapes:** `[..., inFeatures]` → `[..., outFeatures]`.
    open func forward(_ input: Tensor, then following: Activation) -> Tensor {
        if activation == .identity { return linear(input, weight: weight, bias: bias, activation: following) }
        return linear(input, weight: weight, bias: bias, activation: activation).activated(following)
    }

    /// Takes in the activation layer after it (`ReLU`, `GELU`) when it has no activation of its own.
    open func fused(with following: ArraySlice<Module>) -> FusedStep? {
        productFusion(activation, following) { self.forward($0, then: $1) }
    }

    open override var extraDescription: String {
        "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(bias == nil ? "False" : "True")"
            + (activation == .identity ? "" : ", activation=\(activation)")
    }
}
