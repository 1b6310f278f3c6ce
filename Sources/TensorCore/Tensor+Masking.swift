// Masks for sequence models: triangles, filling, softmax over the unmasked elements, and dropout.

extension Tensor {
    /// The lower triangle of the last two axes, as `torch.tril`: element (i, j) kept where j − i ≤ `diagonal`,
    /// 0 elsewhere. The gradient flows through the kept elements.
    ///
    /// **Shapes:** `[..., rows, columns]` → unchanged.
    public func tril(diagonal: Int = 0) -> Tensor { triangle(diagonal: diagonal, lower: true) }

    /// The upper triangle of the last two axes, as `torch.triu`: element (i, j) kept where j − i ≥ `diagonal`.
    ///
    /// **Shapes:** `[..., rows, columns]` → unchanged.
    public func triu(diagonal: Int = 0) -> Tensor { triangle(diagonal: diagonal, lower: false) }

    private func triangle(diagonal: Int, lower: Bool) -> Tensor {
        require(rank >= 2, "\(lower ? "tril" : "triu"): needs at least two axes, got shape \(Shapes.text(shape))")
        let (rows, columns) = (shape[rank - 2], shape[rank - 1])
        var keep = [Double](repeating: 0, count: rows * columns)
        for i in 0..<rows {
            for j in 0..<columns where lower ? j - i <= diagonal : j - i >= diagonal { keep[i * columns + j] = 1 }
        }
        let mask = Tensor(shape: [rows, columns], scalars: keep, dtype: dtype)
        return which(mask, self, Tensor(scalar: 0, dtype: dtype))
    }

    /// `value` where `mask` is non-zero, `self` elsewhere, as `masked_fill`; `mask` broadcasts to this shape. The
    /// gradient flows to the elements kept.
    ///
    /// **Shapes:** mask broadcast to `self` → `self`'s shape.
    public func maskedFill(_ mask: Tensor, _ value: Float) -> Tensor {
        let result = which(mask.to(dtype), Tensor(scalar: value, dtype: dtype), self)
        require(result.shape == shape,
                "maskedFill: mask \(Shapes.text(mask.shape)) does not broadcast to the tensor's shape \(Shapes.text(shape))")
        return result
    }

    /// Softmax along `axis` over the elements where `mask` is zero; masked elements get 0, and so does every
    /// element of a slice that is masked whole (what PyTorch's `scaled_dot_product_attention` gives a query that
    /// sees no key), where a plain softmax of −∞ scores would give NaN.
    ///
    /// **Shapes:** mask broadcast to `self` → `self`'s shape.
    public func softmax(axis: Int = -1, masking mask: Tensor) -> Tensor {
        let excluded = mask.to(dtype)
        let weights = maskedFill(excluded, -.infinity).softmax(axis: axis)
        let anyKept = (1 - excluded).expanded(to: shape).max(axis: axis, keepDims: true)
        return which(anyKept, weights, Tensor(scalar: 0, dtype: dtype))
    }
}

/// Zeroes each element with probability `probability` and scales the rest by 1/(1 − probability), as PyTorch's
/// `F.dropout`; the identity when not `training` or for probability 0. The mask comes from `generator` (the global
/// one by default) and is the same for the gradient.
///
/// **Shapes:** unchanged.
public func dropout(_ input: Tensor, probability: Float, training: Bool = true,
                    generator: RandomGenerator? = nil) -> Tensor {
    require(probability >= 0 && probability < 1, "dropout: probability must be in [0, 1), got \(probability)")
    guard training, probability > 0 else { return input }
    let keep = (Tensor.rand(input.shape, dtype: input.dtype, generator: generator) .>= probability).to(input.dtype)
    return input * (keep / (1 - probability))
}
