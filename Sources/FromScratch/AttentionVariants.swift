import TensorCore

// The lesson's attention chapter, in the form of the matmul chapter: one head's attention,
// softmax(q · kᵀ / √d) · v, four ways, each faster than the last, then its backward pass by hand. All take q
// [T, d], k [S, d] and v [S, dv] and return [T, dv]; with `causal`, query i sees keys 0...i only.
// `swiftgrad lesson` times them.

/// Loops over query, key and feature: each score `s[i, j] += q[i, p] * k[j, p]`, each row's softmax by its
/// maximum and sum, and each output `out[i, c] += w[i, j] * v[j, c]`, one scalar tensor op at a time.
///
/// What it teaches: attention is two matrix products with a softmax between; written as loops it costs
/// T·S·(d + dv) ops dispatched one by one, like the lesson's first matmul.
///
/// **Shapes:** q `[T, d]`, k `[S, d]`, v `[S, dv]` → `[T, dv]`.
public func attentionNaive(_ q: Tensor, _ k: Tensor, _ v: Tensor, causal: Bool = false) -> Tensor {
    let (t, s, d, dv) = checkedAttentionSizes(q, k, v, op: "attentionNaive")
    let scale = 1 / Float(d).squareRoot()
    let out = Tensor.zeros([t, dv])
    for i in 0..<t {
        let visible = causal ? Swift.min(i + 1, s) : s
        let scores = Tensor.zeros([visible])
        for j in 0..<visible {
            for p in 0..<d { scores[j] += q[i, p] * k[j, p] }
            scores[j] = scores[j] * scale
        }
        var largest = -Float.infinity
        for j in 0..<visible { largest = Swift.max(largest, scores[j].item()) }
        let weights = Tensor.zeros([visible])
        var total: Float = 0
        for j in 0..<visible {
            weights[j] = (scores[j] - largest).exp()
            total += weights[j].item()
        }
        for j in 0..<visible {
            for c in 0..<dv { out[i, c] += weights[j] / total * v[j, c] }
        }
    }
    return out
}

/// The feature loops replaced by whole rows: `s[j] = (q[i] * k[j]).sum()`, and each output row a weighted sum
/// of value rows by broadcasting, `out[i] = (w.unsqueezed(axis: -1) * v).sum(axis: 0)`.
///
/// What it teaches: as with the matmul's dot product, handing a row to one op moves the innermost loop into
/// compiled code: T·S ops for the scores, T for the outputs.
///
/// **Shapes:** q `[T, d]`, k `[S, d]`, v `[S, dv]` → `[T, dv]`.
public func attentionRows(_ q: Tensor, _ k: Tensor, _ v: Tensor, causal: Bool = false) -> Tensor {
    let (t, s, d, dv) = checkedAttentionSizes(q, k, v, op: "attentionRows")
    let scale = 1 / Float(d).squareRoot()
    let out = Tensor.zeros([t, dv])
    for i in 0..<t {
        let visible = causal ? Swift.min(i + 1, s) : s
        let scores = Tensor.zeros([visible])
        for j in 0..<visible { scores[j] = (q[i] * k[j]).sum() * scale }
        out[i] = (scores.softmax().unsqueezed(axis: -1) * v[..<visible]).sum(axis: 0)
    }
    return out
}

/// Two matrix products and a softmax: `softmax(q.matmul(k.transposed()) / √d + mask).matmul(v)`, the mask −∞
/// above the diagonal when causal.
///
/// What it teaches: the whole head is three ops on the GEMM, but the T × S matrix of scores is stored, and in
/// training kept for the backward pass: memory grows with T², which is what the fused kernel avoids.
///
/// **Shapes:** q `[T, d]`, k `[S, d]`, v `[S, dv]` → `[T, dv]`.
public func attentionMatmul(_ q: Tensor, _ k: Tensor, _ v: Tensor, causal: Bool = false) -> Tensor {
    let (t, s, d, _) = checkedAttentionSizes(q, k, v, op: "attentionMatmul")
    var scores = q.matmul(k.transposed()) / Float(d).squareRoot()
    if causal { scores = scores + Tensor.full([t, s], -.infinity).triu(diagonal: 1) }
    return scores.softmax(axis: -1).matmul(v)
}

/// The fused kernel: `scaledDotProductAttention(_:_:_:mask:isCausal:dropout:scale:generator:)`, blocks of
/// queries against blocks of keys with the softmax kept online, so the T × S matrix never exists.
///
/// **Shapes:** q `[T, d]`, k `[S, d]`, v `[S, dv]` → `[T, dv]`.
public func attentionFused(_ q: Tensor, _ k: Tensor, _ v: Tensor, causal: Bool = false) -> Tensor {
    _ = checkedAttentionSizes(q, k, v, op: "attentionFused")
    return scaledDotProductAttention(q, k, v, isCausal: causal)
}

/// One head's backward pass by hand. With S = q·kᵀ/√d, P = softmax(S) and out = P·v, given ∂out:
/// ∂v = Pᵀ·∂out; ∂P = ∂out·vᵀ; the softmax's Jacobian gives ∂S = P ∘ (∂P − rowsum(∂P ∘ P)); and the first
/// product's, ∂q = ∂S·k/√d and ∂k = ∂Sᵀ·q/√d.
///
/// **Shapes:** q `[T, d]`, k `[S, d]`, v `[S, dv]`, outputGrad `[T, dv]`.
public func attentionBackward(_ q: Tensor, _ k: Tensor, _ v: Tensor, outputGrad: Tensor, causal: Bool = false)
    -> (q: Tensor, k: Tensor, v: Tensor) {
    let (t, s, d, dv) = checkedAttentionSizes(q, k, v, op: "attentionBackward")
    require(outputGrad.shape == [t, dv], "attentionBackward: outputGrad must be [\(t), \(dv)], got \(outputGrad.shape)")
    let scale = 1 / Float(d).squareRoot()
    var scores = q.matmul(k.transposed()) * scale
    if causal { scores = scores + Tensor.full([t, s], -.infinity).triu(diagonal: 1) }
    let weights = scores.softmax(axis: -1)
    let vGrad = weights.transposed().matmul(outputGrad)
    let weightsGrad = outputGrad.matmul(v.transposed())
    let scoresGrad = weights * (weightsGrad - (weightsGrad * weights).sum(axis: -1, keepDims: true))
    return (scoresGrad.matmul(k) * scale, scoresGrad.transposed().matmul(q) * scale, vGrad)
}

/// The sizes of one head, stopping with a message naming the three shapes when they do not fit.
private func checkedAttentionSizes(_ q: Tensor, _ k: Tensor, _ v: Tensor, op: String) -> (t: Int, s: Int, d: Int, dv: Int) {
    guard q.rank == 2, k.rank == 2, v.rank == 2, q.shape[1] == k.shape[1], k.shape[0] == v.shape[0] else {
        fatalError("\(op): expected q [T, d], k [S, d], v [S, dv]; got \(q.shape), \(k.shape), \(v.shape)")
    }
    return (q.shape[0], k.shape[0], q.shape[1], v.shape[1])
}
