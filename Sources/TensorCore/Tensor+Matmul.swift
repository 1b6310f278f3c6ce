// Matrix multiplication with `torch.matmul` semantics.

extension Tensor {
    /// The matrix product `self · other` with `torch.matmul` semantics; see ``matmul(_:_:)``.
    public func matmul(_ other: Tensor) -> Tensor { TensorCore.matmul(self, other) }
}

/// The matrix product of `a` and `b`, as `torch.matmul`:
/// - 1-d · 1-d: the dot product, a 0-d tensor;
/// - 2-d · 2-d: the matrix product;
/// - 1-d · n-d: `a` is treated as a row `[1, k]`, and that axis is removed from the result;
/// - n-d · 1-d: `b` is treated as a column `[k, 1]`, and that axis is removed from the result;
/// - batched: leading axes are batch axes and broadcast against each other.
///
/// Transposed and strided views are multiplied in place, through their strides: `a.transposed()` costs
/// nothing. Float32 products run on the GEMM kernels of `KernelSettings.family` with
/// `Parallelism.threadCount` threads.
///
/// A bfloat16 operand makes a mixed-precision product: both operands are read as bfloat16 (a float32 one
/// rounded to nearest even as it is read, without a copy), products are summed in float32, and the result is
/// float32 (PyTorch's autocast gives bfloat16; float32 keeps the sums' precision). It runs on `VDPBF16PS` where
/// the kernel family has it (`KernelFamily.avx512bf16`), and elsewhere as the float32 product of the rounded
/// operands: the same numbers up to the float32 rounding of the sums' order. Gradients flow to both operands as
/// float32, each computed by a product of the same kind. Inside ``withAutocast(_:enabled:_:)``, float32 operands
/// make the same mixed-precision product.
///
/// **Shapes:** `[..., m, k] · [..., k, n]` → `[broadcast(...), m, n]`.
public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
    let autocast = Autocast.dtype == .bfloat16 && a.dtype == .float32 && b.dtype == .float32
    return product(a, b, bfloat16: autocast || a.dtype == .bfloat16 || b.dtype == .bfloat16)
}

/// ``matmul(_:_:)`` with its operands read as bfloat16 (float32 sums and result) when `bfloat16`.
private func product(_ a: Tensor, _ b: Tensor, bfloat16: Bool) -> Tensor {
    require(a.rank >= 1 && b.rank >= 1,
            "matmul: both operands need at least one axis, got shapes \(Shapes.text(a.shape)) and \(Shapes.text(b.shape))")
    if bfloat16 {
        require([a.dtype, b.dtype].allSatisfy { $0 == .bfloat16 || $0 == .float32 },
                "matmul: a bfloat16 product takes bfloat16 or float32 operands, got \(a.dtype) and \(b.dtype)")
    } else {
        // No 0-d operand to convert to the other's dtype here, so the dtypes must agree.
        require(a.dtype == b.dtype, "matmul: dtypes \(a.dtype) and \(b.dtype) differ")
        a.requireArithmetic("matmul")
    }
    let inner = a.shape[a.rank - 1]
    let other = b.rank == 1 ? b.shape[0] : b.shape[b.rank - 2]
    require(inner == other,
            "matmul: \(Shapes.text(a.shape)) and \(Shapes.text(b.shape)) do not line up (\(inner) != \(other))")
    let left = a.rank == 1 ? a.unsqueezed(axis: 0) : a
    let right = b.rank == 1 ? b.unsqueezed(axis: -1) : b
    var result = batchedMatmul(left, right, bfloat16: bfloat16)
    if a.rank == 1 { result = result.squeezed(axis: -2) }
    if b.rank == 1 { result = result.squeezed(axis: -1) }
    return result
}

/// `[..., m, k] · [..., k, n]` for operands of rank 2 or more, batch axes broadcast, with its pullback; in bfloat16
/// when `bfloat16`, its gradients' products too.
private func batchedMatmul(_ a: Tensor, _ b: Tensor, bfloat16: Bool) -> Tensor {
    let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
    let aRow = a.strides[a.rank - 2], aCol = a.strides[a.rank - 1]
    let bRow = b.strides[b.rank - 2], bCol = b.strides[b.rank - 1]
    let dtype = bfloat16 ? DType.float32 : a.dtype
    let out: Tensor
    if a.rank == 2 && b.rank == 2 {
        out = Tensor(uninitializedShape: [m, n], dtype: dtype)
        multiplyMatrices(m: m, n: n, k: k, a: a, aOffset: 0, aRow: aRow, aCol: aCol,
                         b: b, bOffset: 0, bRow: bRow, bCol: bCol, into: out, at: 0, bfloat16: bfloat16)
    } else {
        let batch = Shapes.broadcastOrStop(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)), op: "matmul")
        out = Tensor(uninitializedShape: batch + [m, n], dtype: dtype)
        let aBatch = Shapes.broadcastStrides(shape: Array(a.shape.dropLast(2)), strides: Array(a.strides.dropLast(2)),
                                             to: batch)
        let bBatch = Shapes.broadcastStrides(shape: Array(b.shape.dropLast(2)), strides: Array(b.strides.dropLast(2)),
                                             to: batch)
        let layout = StridedLayout(shape: batch + [1], strides: [aBatch + [0], bBatch + [0]])
        var index = 0
        layout.forEachRow { offsets, count, rowStrides in
            for t in 0..<count {
                multiplyMatrices(m: m, n: n, k: k, a: a, aOffset: offsets[0] + t * rowStrides[0], aRow: aRow, aCol: aCol,
                                 b: b, bOffset: offsets[1] + t * rowStrides[1], bRow: bRow, bCol: bCol,
                                 into: out, at: index * m * n, bfloat16: bfloat16)
                index += 1
            }
        }
    }
    let needA = a.requiresGrad, needB = b.requiresGrad
    return out.recorded("matmul", a, b) { g in
        // An operand stored transposed (a linear layer's Wᵀ) gets its gradient computed transposed too,
        // (gᵀ·a)ᵀ rather than aᵀ·g, so that it arrives in the layout of the stored weight, contiguous, instead
        // of as a strided view that must be copied element by element.
        let gradA = !needA ? nil : a.isColumnMajorMatrix
            ? product(b, g.transposed(-1, -2), bfloat16: bfloat16).transposed(-1, -2)
            : product(g, b.transposed(-1, -2), bfloat16: bfloat16)
        let gradB = !needB ? nil : b.isColumnMajorMatrix
            ? product(g.transposed(-1, -2), a, bfloat16: bfloat16).transposed(-1, -2)
            : product(a.transposed(-1, -2), g, bfloat16: bfloat16)
        return [gradA, gradB]
    }
}

extension Tensor {
    /// Whether the last two axes are stored column by column (a transposed view of a row-major matrix).
    var isColumnMajorMatrix: Bool {
        rank >= 2 && strides[rank - 2] == 1 && strides[rank - 1] != 1 && shape[rank - 1] > 1
    }
}

/// One m×k · k×n product of matrices inside `a` and `b` (at element offsets from their first elements), written
/// contiguously into `out` at element `at`; read as bfloat16 when `bfloat16`.
private func multiplyMatrices(
    m: Int, n: Int, k: Int, a: Tensor, aOffset: Int, aRow: Int, aCol: Int,
    b: Tensor, bOffset: Int, bRow: Int, bCol: Int, into out: Tensor, at: Int, bfloat16: Bool
) {
    if bfloat16 {
        let left = a.bfloat16View(offset: aOffset, rowStride: aRow, colStride: aCol)
        let right = b.bfloat16View(offset: bOffset, rowStride: bRow, colStride: bCol)
        // On the family's bfloat16 instruction, or as the float32 product of A and B rounded to bfloat16.
        ProductTimer.time(ProductShape(.matmul, m: m, k: k, n: n, aStrides: (aRow, aCol), bStrides: (bRow, bCol))) {
            Kernels.bfloat16Products.gemm(m: m, n: n, k: k, a: left, b: right, c: out.pointer(Float.self) + at, ldc: n,
                                          accumulate: false, threads: Parallelism.threadCount)
        }
        return
    }
    switch a.dtype {
    case .float32:
        let left = MatrixView(base: a.pointer(Float.self) + aOffset, rowStride: aRow, colStride: aCol)
        let right = MatrixView(base: b.pointer(Float.self) + bOffset, rowStride: bRow, colStride: bCol)
        ProductTimer.time(ProductShape(.matmul, m: m, k: k, n: n, a: left, b: right)) {
            Kernels.active.gemm(
                m: m, n: n, k: k, a: left, b: right,
                c: out.pointer(Float.self) + at, ldc: n, accumulate: false, epilogue: .none,
                threads: Parallelism.threadCount)
        }
    case .float64:
        referenceGEMM(m: m, n: n, k: k, a: a.pointer(Double.self) + aOffset, aRow: aRow, aCol: aCol,
                      b: b.pointer(Double.self) + bOffset, bRow: bRow, bCol: bCol,
                      c: out.pointer(Double.self) + at, ldc: n, accumulate: false)
    case .bfloat16, .float16, .int32, .int64, .bool:
        a.requireArithmetic("matmul")
    }
}

extension Tensor {
    /// How `a.matmul(b)` runs for two float32 matrices on the current threads: the GEMM's plan for their shapes
    /// and layouts (see ``GEMMPlan``), for `swiftgrad bench gemm`.
    package static func productPlan(_ a: Tensor, _ b: Tensor) -> GEMMPlan {
        require(a.rank == 2 && b.rank == 2 && a.shape[1] == b.shape[0] && a.dtype == .float32 && b.dtype == .float32,
                "productPlan: needs float32 matrices that line up, got \(Shapes.text(a.shape)) \(a.dtype) and \(Shapes.text(b.shape)) \(b.dtype)")
        return Kernels.active.gemmPlan(
            m: a.shape[0], n: b.shape[1], k: a.shape[1],
            a: MatrixView(base: a.pointer(Float.self), rowStride: a.strides[0], colStride: a.strides[1]),
            b: MatrixView(base: b.pointer(Float.self), rowStride: b.strides[0], colStride: b.strides[1]),
            threads: Parallelism.threadCount)
    }
}

extension Tensor {
    /// The matrix at element `offset` from this float32 or bfloat16 tensor's first element, as a bfloat16 product
    /// reads it.
    func bfloat16View(offset: Int, rowStride: Int, colStride: Int) -> BFloat16MatrixView {
        BFloat16MatrixView(base: UnsafeRawPointer(rawPointer) + offset * dtype.byteSize,
                           elements: dtype == .bfloat16 ? .bfloat16 : .float32, rowStride: rowStride, colStride: colStride)
    }
}
