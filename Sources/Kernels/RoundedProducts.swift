import KernelSupport

/// The bfloat16 products of a family without a bfloat16 instruction: both operands rounded to bfloat16 into
/// contiguous float32 copies, then this level's float32 GEMM. Products of bfloat16 values are exact in float32, so
/// the numbers are `VDPBF16PS`'s up to the order of the float32 sums (and its flushing of subnormals).
enum RoundedProducts: BFloat16Products {
    static func gemm(m: Int, n: Int, k: Int, a: BFloat16MatrixView, b: BFloat16MatrixView,
                     c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, threads: Int) {
        guard m > 0 && n > 0 else { return }
        let roundedA = rounded(a, rows: m, cols: k), roundedB = rounded(b, rows: k, cols: n)
        defer {
            roundedA.deallocate()
            roundedB.deallocate()
        }
        LevelKernels.gemm(m: m, n: n, k: k, a: MatrixView(base: roundedA, rowStride: k, colStride: 1),
                          b: MatrixView(base: roundedB, rowStride: n, colStride: 1), c: c, ldc: ldc,
                          accumulate: accumulate, epilogue: .none, threads: threads)
    }

    static func peakGFLOPS(threads: Int, steps: Int) -> Double { LevelPeakProbe.gflops(threads: threads, steps: steps) }

    /// A contiguous copy of `matrix`'s values rounded to bfloat16 (with the slack the GEMM may read past its end).
    private static func rounded(_ matrix: BFloat16MatrixView, rows: Int, cols: Int) -> UnsafeMutablePointer<Float> {
        let copy = UnsafeMutablePointer<Float>.allocate(capacity: rows * cols + 64)
        for i in 0..<rows {
            for j in 0..<cols { copy[i * cols + j] = Float(bitPattern: matrix.bits(i, j) << 16) }
        }
        return copy
    }
}
