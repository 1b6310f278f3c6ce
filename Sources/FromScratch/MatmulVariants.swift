import TensorCore

// The lesson's first chapter: five ways to multiply two matrices, each faster than the last. All take
// a [m, k] and b [k, n] and return [m, n]; `swiftgrad bench matmul` times them on the lesson's
// 5×784 · 784×10.

/// Three nested loops, one multiply-add per innermost step: `c[i, j] += a[i, k] * b[k, j]`.
///
/// What it teaches: the arithmetic is trivial, the cost is the interpretation around it. Every `a[i, k]` is a
/// tensor view (an object with its own shape and strides) and every `*` and `+=` an op dispatched on tensors,
/// so each of the m·n·k steps costs microseconds, as in the lesson's Python loop.
///
/// **Shapes:** `[m, k] · [k, n]` → `[m, n]`.
public func matmulNaive(_ a: Tensor, _ b: Tensor) -> Tensor {
    let (m, k, n) = checkedSizes(a, b, op: "matmulNaive")
    let c = Tensor.zeros([m, n])
    for i in 0..<m {
        for j in 0..<n {
            for p in 0..<k {
                c[i, j] += a[i, p] * b[p, j]
            }
        }
    }
    return c
}

/// The innermost loop replaced by one elementwise product and a sum: `c[i, j] = (a[i] * b[.all, j]).sum()`.
///
/// What it teaches: hand a whole row and column to one op and the k steps run inside a compiled loop; only
/// m·n ops are dispatched.
///
/// **Shapes:** `[m, k] · [k, n]` → `[m, n]`.
public func matmulDot(_ a: Tensor, _ b: Tensor) -> Tensor {
    let (m, _, n) = checkedSizes(a, b, op: "matmulDot")
    let c = Tensor.zeros([m, n])
    for i in 0..<m {
        for j in 0..<n {
            c[i, j] = (a[i] * b[.all, j]).sum()
        }
    }
    return c
}

/// One row at a time with broadcasting: `c[i] = (a[i].unsqueezed(axis: -1) * b).sum(axis: 0)`.
///
/// What it teaches: `a[i]` as a column `[k, 1]` broadcasts against `b` `[k, n]` (stride 0, no copy), so a
/// whole output row is one product and one reduction: m ops in all.
///
/// **Shapes:** `[m, k] · [k, n]` → `[m, n]`.
public func matmulBroadcast(_ a: Tensor, _ b: Tensor) -> Tensor {
    let (m, _, n) = checkedSizes(a, b, op: "matmulBroadcast")
    let c = Tensor.zeros([m, n])
    for i in 0..<m {
        c[i] = (a[i].unsqueezed(axis: -1) * b).sum(axis: 0)
    }
    return c
}

/// Einstein summation: `einsum("ik,kj->ij", a, b)`, the product written as its index formula.
///
/// What it teaches: the notation names which axes are summed; SwiftGrad lowers it to one call of the GEMM
/// kernel, so it costs what `matmul` costs plus parsing the equation.
///
/// **Shapes:** `[m, k] · [k, n]` → `[m, n]`.
public func matmulEinsum(_ a: Tensor, _ b: Tensor) -> Tensor {
    _ = checkedSizes(a, b, op: "matmulEinsum")
    return einsum("ik,kj->ij", a, b)
}

/// The sizes of a matrix product, stopping with a message that names both shapes when they do not line up.
private func checkedSizes(_ a: Tensor, _ b: Tensor, op: String) -> (m: Int, k: Int, n: Int) {
    guard a.rank == 2, b.rank == 2, a.shape[1] == b.shape[0] else {
        let detail = a.rank == 2 && b.rank == 2 ? " (\(a.shape[1]) != \(b.shape[0]))" : " (both must be matrices)"
        fatalError("\(op): \(a.shape) and \(b.shape) do not line up\(detail)")
    }
    return (a.shape[0], a.shape[1], b.shape[1])
}
