import Foundation
import TensorCore

/// A fully connected layer: `y = activation(x · weightᵀ + bias)`, as PyTorch's `nn.Linear` (followed by the
/// activation, which the product applies as it stores its output: `Linear(512, 2048, activation: .gelu)`).
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

    public override func forward(_ input: Tensor) -> Tensor {
        linear(input, weight: weight, bias: bias, activation: activation)
    }

    /// This layer followed by `following`, as one product when the layer has no activation of its own
    /// (`Sequential` runs `Linear → ReLU` so).
    func activated(_ input: Tensor, _ following: Activation) -> Tensor {
        if activation == .identity { return linear(input, weight: weight, bias: bias, activation: following) }
        return linear(input, weight: weight, bias: bias, activation: activation).activated(following)
    }

    public override var extraDescription: String {
        "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(bias == nil ? "False" : "True")"
            + (activation == .identity ? "" : ", activation=\(activation)")
    }
}
