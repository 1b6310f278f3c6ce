/// A matrix that a bfloat16 product reads: float32 elements, rounded to bfloat16 as the product reads them (so
/// that mixed precision needs no bfloat16 copy of its operands), or bfloat16 ones (weights held that way).
/// Element (i, j) lies at element `i·rowStride + j·colStride` from `base`.
package struct BFloat16MatrixView {
    /// How the elements are stored.
    package enum Elements: Sendable { case float32, bfloat16 }

    package let base: UnsafeRawPointer
    package let elements: Elements
    package let rowStride: Int
    package let colStride: Int

    package init(base: UnsafeRawPointer, elements: Elements, rowStride: Int, colStride: Int) {
        (self.base, self.elements, self.rowStride, self.colStride) = (base, elements, rowStride, colStride)
    }

    /// A float32 matrix, rounded as it is read.
    package init(_ matrix: MatrixView) {
        self.init(base: matrix.base, elements: .float32, rowStride: matrix.rowStride, colStride: matrix.colStride)
    }

    /// The matrix from row `row` and column `column` on.
    package func from(row: Int, column: Int) -> BFloat16MatrixView {
        let offset = (row * rowStride + column * colStride) * (elements == .float32 ? 4 : 2)
        return BFloat16MatrixView(base: base + offset, elements: elements, rowStride: rowStride, colStride: colStride)
    }

    /// The bfloat16 bits of element (i, j), in the low half.
    @inlinable @inline(__always)
    package func bits(_ i: Int, _ j: Int) -> UInt32 {
        let index = i &* rowStride &+ j &* colStride
        switch elements {
        case .float32: return bfloat16Bits(base.load(fromByteOffset: index &* 4, as: UInt32.self))
        case .bfloat16: return UInt32(base.load(fromByteOffset: index &* 2, as: UInt16.self))
        }
    }
}

/// Products of bfloat16 operands accumulated in float32, as a kernel family with a bfloat16 dot-product
/// instruction runs them.
package protocol BFloat16Products {
    /// C (+)= A·B for an m×k A and a k×n B read as bfloat16 (rounded to nearest even where they are float32),
    /// sums in float32, into float32 C (row stride `ldc`), on up to `threads` threads.
    static func gemm(m: Int, n: Int, k: Int, a: BFloat16MatrixView, b: BFloat16MatrixView,
                     c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, threads: Int)

    /// The most GFLOPS the bfloat16 dot-product instruction reaches on `threads` cores (see `peakGFLOPS`).
    static func peakGFLOPS(threads: Int, steps: Int) -> Double
}

/// The bfloat16 bits (in the low 16 of 32) of float32 values given as their bits, rounded to nearest even; a NaN
/// stays a NaN with its sign, made quiet. Lane by lane, so one function serves the scalar conversion and the
/// products' packing.
///
/// Integer arithmetic only: Swift's SIMD comparisons and `replacing(with:where:)` built their mask lane by lane
/// through the stack (a third of a mixed-precision training step went to that). A magnitude past infinity's makes
/// `0x7F80_0000 − magnitude` wrap to a number with its top bit set: that bit, spread over the lane, is the NaN mask.
@inlinable @inline(__always)
package func bfloat16Bits<V: SIMD>(_ bits: V) -> V where V.Scalar == UInt32 {
    let rounded = (bits &+ 0x7FFF &+ ((bits &>> 16) & 1)) &>> 16
    let nan = V(repeating: 0) &- ((V(repeating: 0x7F80_0000) &- (bits & 0x7FFF_FFFF)) &>> 31)
    return rounded & ~nan | ((bits &>> 16) | 0x40) & nan
}

/// ``bfloat16Bits(_:)`` of one float32's bits.
@inlinable @inline(__always)
package func bfloat16Bits(_ bits: UInt32) -> UInt32 { bfloat16Bits(SIMD2(bits, 0))[0] }
