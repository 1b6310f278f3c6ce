import TensorCore

/// Layer normalisation over the last axes, as PyTorch's `nn.LayerNorm`
/// (`layerNorm(_:normalizedShape:weight:bias:epsilon:)`): each sample normalised by its own mean and variance,
/// then scaled and shifted elementwise by `weight` (1) and `bias` (0).
///
/// **Shapes:** `[..., normalizedShape...]` → unchanged.
public final class LayerNorm: Module {
    /// The trailing axes normalised together.
    public let normalizedShape: [Int]
    /// `normalizedShape`: the scale, or nil without `elementwiseAffine`.
    public let weight: Tensor?
    /// `normalizedShape`: the shift, or nil without `elementwiseAffine` or `bias`.
    public let bias: Tensor?
    /// Added to the variance.
    public let epsilon: Float

    /// Normalises the last axes, of sizes `normalizedShape`.
    public init(_ normalizedShape: [Int], epsilon: Float = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) {
        require(!normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 >= 1 },
                "LayerNorm: normalizedShape must be sizes of at least 1, got \(normalizedShape)")
        self.normalizedShape = normalizedShape
        weight = elementwiseAffine ? Tensor.ones(normalizedShape).requiringGrad() : nil
        self.bias = elementwiseAffine && bias ? Tensor.zeros(normalizedShape).requiringGrad() : nil
        self.epsilon = epsilon
    }

    /// Normalises the last axis, of size `features`.
    public convenience init(_ features: Int, epsilon: Float = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) {
        self.init([features], epsilon: epsilon, elementwiseAffine: elementwiseAffine, bias: bias)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        layerNorm(input, normalizedShape: normalizedShape, weight: weight, bias: bias, epsilon: epsilon)
    }

    public override var extraDescription: String {
        "(\(normalizedShape.map(String.init).joined(separator: ", "))\(normalizedShape.count == 1 ? "," : "")), eps=\(epsilon), elementwise_affine=\(weight == nil ? "False" : "True")"
    }
}
