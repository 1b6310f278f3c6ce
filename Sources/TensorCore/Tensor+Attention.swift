// Scaled dot-product attention as one fused op (flash attention's schedule; see `Kernels/Attention.swift`): the
// `[queries, keys]` matrix of weights is never stored, forward or backward.

/// Scaled dot-product attention, as PyTorch's `F.scaled_dot_product_attention`:
/// softmax(query · keyᵀ · scale + mask) · value, the softmax along the keys, with dropout on its weights.
///
/// One fused kernel, tiled over blocks of queries and keys with an online softmax: memory beyond the inputs and
/// the output is O(T·d), never O(T²), in training too (the backward pass recomputes the weights block by block
/// from each query's saved log-sum-exp). A query that sees no key (every key masked with −∞, or none before it)
/// gets an output of 0 and passes no gradient, as PyTorch's fused kernels (and `_safe_softmax`) give. Query, key and
/// value are read through their strides, so views (heads split out of one wider product, a slice of a buffer) cost
/// no copy. Inside ``withAutocast(_:enabled:_:)`` the blocks' products (scores, weighted values, and the backward
/// pass's) read float32 operands as bfloat16, the weights included, as PyTorch's attention on bfloat16 tensors
/// does; the softmax stays float32.
///
/// ```swift
/// let q = Tensor.randn(2, 4, 16, 8), k = Tensor.randn(2, 4, 16, 8), v = Tensor.randn(2, 4, 16, 8)
/// let y = scaledDotProductAttention(q, k, v, isCausal: true)      // [2, 4, 16, 8]
/// ```
///
/// - Parameters:
///   - query: `[..., queries, depth]`.
///   - key: `[..., keys, depth]`, with the query's leading axes.
///   - value: `[..., keys, valueDepth]`, with the query's leading axes.
///   - mask: added to the scores before the softmax (PyTorch's float `attn_mask`: 0 to keep, −∞ to mask out), or
///     a bool tensor, true where a query may attend to a key (PyTorch's bool `attn_mask`); broadcast to
///     `[..., queries, keys]`; it receives no gradient.
///   - isCausal: query i sees keys 0...i only (PyTorch's `is_causal`, aligned at the top left); combines with
///     `mask`.
///   - dropout: the probability of zeroing each attention weight (the rest scaled by 1/(1 − p)), drawn from
///     `generator` (the global one by default); 0 in evaluation.
///   - scale: multiplies the scores; 1/√depth by default.
///   - generator: where dropout's seed comes from (the global generator by default).
/// - Returns: `[..., queries, valueDepth]`.
public func scaledDotProductAttention(_ query: Tensor, _ key: Tensor, _ value: Tensor, mask: Tensor? = nil,
                                      isCausal: Bool = false, dropout: Float = 0, scale: Float? = nil,
                                      generator: RandomGenerator? = nil) -> Tensor {
    query.requireArithmetic("scaledDotProductAttention")
    let shapes = "query \(Shapes.text(query.shape)), key \(Shapes.text(key.shape)), value \(Shapes.text(value.shape))"
    require(query.rank >= 2 && key.rank == query.rank && value.rank == query.rank,
            "scaledDotProductAttention: query, key and value need the same rank, at least 2; got \(shapes)")
    let batchShape = Array(query.shape.dropLast(2))
    let (queries, depth) = (query.shape[query.rank - 2], query.shape[query.rank - 1])
    let (keys, valueDepth) = (key.shape[key.rank - 2], value.shape[value.rank - 1])
    require(Array(key.shape.dropLast(2)) == batchShape && Array(value.shape.dropLast(2)) == batchShape
                && key.shape[key.rank - 1] == depth && value.shape[value.rank - 2] == keys,
            "scaledDotProductAttention: expected query [..., Tq, d], key [..., Tk, d] and value [..., Tk, dv] with the same leading axes; got \(shapes)")
    require(query.dtype == key.dtype && key.dtype == value.dtype,
            "scaledDotProductAttention: dtypes \(query.dtype), \(key.dtype) and \(value.dtype) differ")
    require(dropout >= 0 && dropout < 1, "scaledDotProductAttention: dropout must be in [0, 1), got \(dropout)")
    // Read where they lie, through their strides: heads split out of one wider product, a slice of a cache.
    let (q, k, v) = (query.detached(), key.detached(), value.detached())
    var problem = AttentionProblem(batchShape: batchShape, queries: queries, keys: keys, depth: depth,
                                   valueDepth: valueDepth, scale: Double(scale ?? 1 / Float(depth).squareRoot()),
                                   causal: isCausal, dropout: Double(dropout), seed: 0,
                                   queryLayout: MatrixLayout(strides: q.strides), keyLayout: MatrixLayout(strides: k.strides),
                                   valueLayout: MatrixLayout(strides: v.strides), mask: nil, maskLayout: nil)
    if Autocast.dtype == .bfloat16 && query.dtype == .float32 { problem.bfloat16 = Kernels.bfloat16Products }
    var maskTensor: Tensor?
    if let given = mask {
        let zero = Tensor(scalar: 0, dtype: query.dtype), masked = Tensor(scalar: -.infinity, dtype: query.dtype)
        let mask = given.dtype == .bool ? which(given, zero, masked) : given
        require(mask.dtype == query.dtype, "scaledDotProductAttention: mask dtype \(mask.dtype) differs from query's \(query.dtype)")
        require(!recordsGradient(mask),
                "scaledDotProductAttention: the mask receives no gradient; pass mask.detached()")
        let target = batchShape + [queries, keys]
        require((try? Shapes.broadcast(mask.shape, target, op: "scaledDotProductAttention").get()) == target,
                "scaledDotProductAttention: mask \(Shapes.text(mask.shape)) does not broadcast to [..., Tq, Tk] = \(Shapes.text(target))")
        problem.maskLayout = MatrixLayout(strides: Shapes.broadcastStrides(shape: mask.shape, strides: mask.strides, to: target))
        maskTensor = mask
    }
    if dropout > 0 { problem.seed = (generator ?? .global).withLock { $0.nextBits() } }
    let out = Tensor(uninitializedShape: batchShape + [queries, valueDepth], dtype: q.dtype)
    let logSumExp = Tensor(uninitializedShape: batchShape + [queries], dtype: q.dtype)
    withExtendedLifetime(maskTensor) {
        problem.mask = maskTensor.map { UnsafeRawPointer($0.rawPointer) }
        Kernels.active.attention(q.dtype, problem, q: q.rawPointer, k: k.rawPointer, v: v.rawPointer,
                                 out: out.rawPointer, logSumExp: logSumExp.rawPointer, threads: Parallelism.threadCount)
    }
    let output = out.detached()
    return out.recorded("scaled_dot_product_attention", [query, key, value]) { g in
        let gradient = g.contiguous()
        let (dq, dk, dv) = (Tensor(uninitializedShape: q.shape, dtype: q.dtype), Tensor(uninitializedShape: k.shape, dtype: q.dtype),
                            Tensor(uninitializedShape: v.shape, dtype: q.dtype))
        withExtendedLifetime(maskTensor) {
            var problem = problem
            problem.mask = maskTensor.map { UnsafeRawPointer($0.rawPointer) }
            Kernels.active.attentionBackward(q.dtype, problem, q: q.rawPointer, k: k.rawPointer, v: v.rawPointer,
                                             out: output.rawPointer, logSumExp: logSumExp.rawPointer,
                                             outGradient: gradient.rawPointer, qGradient: dq.rawPointer,
                                             kGradient: dk.rawPointer, vGradient: dv.rawPointer,
                                             threads: Parallelism.threadCount)
        }
        return [dq, dk, dv]
    }
}
