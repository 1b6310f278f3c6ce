/// Layer normalisation, as PyTorch's `F.layer_norm`: each sample normalised by the mean and (biased) variance of
/// its last `normalizedShape.count` axes, then scaled by `weight` and shifted by `bias` elementwise.
///
/// y = (x − mean)/√(variance + ε)·weight + bias. One fused kernel computes each row's statistics and output in one
/// visit of the row, and keeps only the mean and 1/√(variance + ε) per row for the backward pass, which makes two
/// visits: ∂x = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = g·weight, ∂weight = Σ g·x̂, ∂bias = Σ g.
///
/// **Shapes:** input `[..., normalizedShape...]`, weight and bias `normalizedShape` → the input's shape.
public func layerNorm(_ input: Tensor, normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil,
                      epsilon: Float = 1e-5) -> Tensor {
    input.requireArithmetic("layerNorm")
    let trailing = Array(input.shape.suffix(normalizedShape.count))
    require(!normalizedShape.isEmpty && input.rank >= normalizedShape.count && trailing == normalizedShape,
            "layerNorm: input \(Shapes.text(input.shape)) does not end in normalizedShape \(Shapes.text(normalizedShape))")
    for (name, tensor) in [("weight", weight), ("bias", bias)] {
        guard let tensor else { continue }
        require(tensor.shape == normalizedShape,
                "layerNorm: \(name) must be \(Shapes.text(normalizedShape)), got \(Shapes.text(tensor.shape))")
        require(tensor.dtype == input.dtype, "layerNorm: \(name) dtype \(tensor.dtype) differs from the input's \(input.dtype)")
    }
    let width = Shapes.count(normalizedShape)
    let rows = width == 0 ? 0 : input.count / width
    let x = input.contiguous()
    let (w, b) = (weight?.contiguous(), bias?.contiguous())
    let out = Tensor(uninitializedShape: input.shape, dtype: x.dtype)
    let mean = Tensor(uninitializedShape: [rows], dtype: x.dtype), rstd = Tensor(uninitializedShape: [rows], dtype: x.dtype)
    Kernels.active.layerNorm(x.dtype, input: x.rawPointer, rows: rows, width: width, weight: w.map { UnsafeRawPointer($0.rawPointer) },
                             bias: b.map { UnsafeRawPointer($0.rawPointer) }, epsilon: Double(epsilon), out: out.rawPointer,
                             mean: mean.rawPointer, rstd: rstd.rawPointer)
    let inputs = [input] + [weight, bias].compactMap { $0 }
    let (needsInput, needsWeight, needsBias) = (input.requiresGrad, weight?.requiresGrad ?? false, bias?.requiresGrad ?? false)
    return out.recorded("layer_norm", inputs) { g in
        let gradient = g.contiguous()
        let dx = needsInput ? Tensor(uninitializedShape: x.shape, dtype: x.dtype) : nil
        let dw = needsWeight ? Tensor(uninitializedShape: normalizedShape, dtype: x.dtype) : nil
        let db = needsBias ? Tensor(uninitializedShape: normalizedShape, dtype: x.dtype) : nil
        Kernels.active.layerNormBackward(x.dtype, input: x.rawPointer, gradient: gradient.rawPointer, rows: rows, width: width,
                                         mean: mean.rawPointer, rstd: rstd.rawPointer,
                                         weight: w.map { UnsafeRawPointer($0.rawPointer) }, inputGradient: dx?.rawPointer,
                                         weightGradient: dw?.rawPointer, biasGradient: db?.rawPointer)
        return [dx] + (w == nil ? [] : [dw]) + (b == nil ? [] : [db])
    }
}
