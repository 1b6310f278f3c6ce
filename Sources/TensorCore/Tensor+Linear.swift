// A linear layer's forward pass as one product: the bias and the activation are applied by the GEMM to each tile
// of the output as it is stored (`GEMMEpilogue`), instead of two more passes over the output, each with a tensor
// of its own.

/// `activation(input · weightᵀ + bias)`: PyTorch's `F.linear`, followed by `activation`, as one op with the values
/// and gradients of those ops in turn. In float32 the bias and the activation ride on the product's tiles as they
/// are stored; the backward pass masks the gradient by the output's sign once (ReLU), then takes the bias's
/// gradient as its column sums and the input's and weight's as two products. GELU's gradient needs the product
/// before it, which the tile does not keep: while a gradient is being recorded, GELU runs as its own op after the
/// product (as PyTorch's), and inside ``withoutGradient(_:)`` on the tiles. `Linear(_:_:activation:)` runs
/// this way, and `Sequential` runs `Linear → ReLU` as one call with `activation: .relu`. A bfloat16 weight or
/// input, or ``withAutocast(_:enabled:_:)``, makes the product a bfloat16 one (see ``matmul(_:_:)``), and the bias
/// and the activation ops of their own.
///
/// **Shapes:** input `[..., in]`, weight `[out, in]`, bias `[out]` → `[..., out]`.
public func linear(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, activation: Activation = .identity) -> Tensor {
    if input.dtype != .bfloat16 { input.requireArithmetic("linear") }
    require(weight.rank == 2 && input.rank >= 1 && input.shape[input.rank - 1] == weight.shape[1],
            "linear: input \(Shapes.text(input.shape)) does not match weight \(Shapes.text(weight.shape)) ([out, in])")
    let (inFeatures, outFeatures) = (weight.shape[1], weight.shape[0])
    if let bias {
        require(bias.shape == [outFeatures],
                "linear: bias must be [\(outFeatures)] for weight \(Shapes.text(weight.shape)), got \(Shapes.text(bias.shape))")
    }
    let rows = input.shape.dropLast().reduce(1, *)
    let outShape = Array(input.shape.dropLast()) + [outFeatures]
    // Other dtypes, and bfloat16 products (a bfloat16 operand, or autocast), take the product and then the bias and
    // the activation as ops of their own. The input's leading axes are one axis of rows first: as a batched
    // product, the weight was multiplied by each batch entry's rows apart and its gradient summed over them.
    guard input.dtype == .float32 && weight.dtype == .float32 && (bias?.dtype ?? .float32) == .float32
            && Autocast.dtype == nil else {
        let rowsFirst = input.rank == 2 ? input : input.reshaped(to: [rows, inFeatures])
        let product = rowsFirst.matmul(weight.transposed()), biased = bias.map { product + $0 } ?? product
        return biased.activated(activation).reshaped(to: outShape)
    }
    let fused = activation.inEpilogue(recording: recordsGradient(input, weight, bias))
    // The input and the weight are read through their strides (a transposed weight, `x · w` with w [in, out] as
    // the lesson stores it, is not copied); only an input of another rank is made a contiguous matrix.
    let x = (input.rank == 2 ? input : input.reshaped(to: [rows, inFeatures]).contiguous()).detached()
    let (w, b) = (weight.detached(), bias?.contiguous().detached())
    let out = Tensor(uninitializedShape: [rows, outFeatures], dtype: .float32)
    let epilogue = GEMMEpilogue(bias: b.map { UnsafePointer($0.pointer(Float.self)) }, activation: fused)
    let left = MatrixView(base: x.pointer(Float.self), rowStride: x.strides[0], colStride: x.strides[1])
    let right = MatrixView(base: w.pointer(Float.self), rowStride: w.strides[1], colStride: w.strides[0])
    ProductTimer.time(ProductShape(.linear, m: rows, k: inFeatures, n: outFeatures, a: left, b: right)) {
        Kernels.active.gemm(m: rows, n: outFeatures, k: inFeatures, a: left, b: right, c: out.pointer(Float.self),
                            ldc: outFeatures, accumulate: false, epilogue: epilogue, threads: Parallelism.threadCount)
    }
    let result = out.reshaped(to: outShape)
    let inputs = [input, weight] + (bias.map { [$0] } ?? [])
    // The pullback reads the output through an alias without a graph: capturing the recorded tensor itself would
    // make a cycle (output → its pullback → output) that keeps an unused graph alive.
    let activated = out.detached()
    let (needsInput, needsWeight, needsBias) = (input.requiresGrad, weight.requiresGrad, bias?.requiresGrad ?? false)
    let recorded = result.recorded(fused == .relu ? "linear relu" : "linear", inputs) { g in
        let gradient = g.reshaped(to: [rows, outFeatures])
        let atProduct = fused == .relu ? Tensor.combining(gradient, activated, .passWherePositive, name: "relu backward")
            : gradient
        // Only the gradients asked for: a first layer's input (the data) needs none, and its product would cost
        // as much as the layer's forward pass.
        return [needsInput ? atProduct.matmul(w).reshaped(to: input.shape) : nil,
                needsWeight ? atProduct.transposed().matmul(x) : nil]
            + (b == nil ? [] : [needsBias ? atProduct.sum(axis: 0) : nil])
    }
    return fused == activation ? recorded : recorded.activated(activation)
}

extension Activation {
    /// What a product applies as it stores its output: this activation, except GELU when the product's gradient is
    /// `recording`. GELU's gradient needs the product before it, which the tiles do not keep, so then it runs as its
    /// own op after the product (`.identity` here); ReLU's gradient needs only the output's sign.
    func inEpilogue(recording: Bool) -> Activation {
        self == .relu || !recording ? self : .identity
    }
}
