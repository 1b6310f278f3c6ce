/// `R` rows of A against `S` columns of B by dot products along the depth, for A's rows and B's columns both
/// contiguous (A · Wᵀ for a row-major weight W, as a linear layer computes it): element (i, j) of C is
/// Σ_p a[i·aRow + p]·b[j·bCol + p]. Nothing is packed, which is what a product of few rows needs: packing Wᵀ
/// into row-major strips cost more than the product itself for one row.
///
/// Each element sums in the same order whatever the tile: the whole vectors of `V` along the depth, numbered
/// from 0, even-numbered ones into one accumulator and odd ones into another (two chains, as a tile of few rows
/// needs); then the two added and summed across lanes as a tree, plus the last depth steps that fill no vector, summed one
/// by one. So results do not depend on `R`, `S`, the product's shape or the thread count.
///
/// Rows past `rows` and columns past `cols` (at most `R` and `S`) re-read the last valid one and are not
/// stored.
enum DotTile<let R: Int, let S: Int, V: TreeSummable, M: MultiplyAccumulate> {
    @inline(never)
    static func multiply(
        rows: Int, cols: Int, k: Int, a: UnsafePointer<Float>, aRow: Int, b: UnsafePointer<Float>, bCol: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        var even = InlineArray<R, InlineArray<S, V>>(repeating: InlineArray(repeating: V()))
        var odd = even
        var aStart = InlineArray<R, UnsafeRawPointer>(repeating: UnsafeRawPointer(a))
        for i in 0..<R { aStart[i] = UnsafeRawPointer(a + Swift.min(i, rows &- 1) &* aRow) }
        var bStart = InlineArray<S, UnsafeRawPointer>(repeating: UnsafeRawPointer(b))
        for j in 0..<S { bStart[j] = UnsafeRawPointer(b + Swift.min(j, cols &- 1) &* bCol) }
        let width = V.scalarCount
        let bytes = width &* MemoryLayout<Float>.stride
        var offset = 0
        var p = 0
        // A `while` loop, as in `Tile`: the accumulators stay in registers.
        while p &+ 2 &* width <= k {
            for i in 0..<R {
                let x0 = aStart[i].loadUnaligned(fromByteOffset: offset, as: V.self)
                let x1 = aStart[i].loadUnaligned(fromByteOffset: offset &+ bytes, as: V.self)
                for j in 0..<S {
                    even[i][j] = M.accumulate(even[i][j], x0, bStart[j].loadUnaligned(fromByteOffset: offset, as: V.self))
                    odd[i][j] = M.accumulate(odd[i][j], x1,
                                             bStart[j].loadUnaligned(fromByteOffset: offset &+ bytes, as: V.self))
                }
            }
            offset &+= 2 &* bytes
            p &+= 2 &* width
        }
        if p &+ width <= k {
            for i in 0..<R {
                let x = aStart[i].loadUnaligned(fromByteOffset: offset, as: V.self)
                for j in 0..<S {
                    even[i][j] = M.accumulate(even[i][j], x, bStart[j].loadUnaligned(fromByteOffset: offset, as: V.self))
                }
            }
            p &+= width
        }
        var tail = InlineArray<R, InlineArray<S, Float>>(repeating: InlineArray(repeating: 0))
        while p < k {
            for i in 0..<R {
                let x = aStart[i].load(fromByteOffset: p &* MemoryLayout<Float>.stride, as: Float.self)
                for j in 0..<S { tail[i][j] += x * bStart[j].load(fromByteOffset: p &* MemoryLayout<Float>.stride, as: Float.self) }
            }
            p &+= 1
        }
        // Every subscript of the accumulators a constant (a loop of fixed length and a small body, which the
        // optimiser unrolls): with the whole lane sums in the same loop, it was not unrolled, and the accumulators
        // were kept in memory and stored and reloaded around the depth loop. Folding to four lanes there, in
        // registers, and the rest from memory halved the sums' cost (copied out whole, LLVM summed them from
        // memory two floats at a time).
        withUnsafeTemporaryAllocation(of: SIMD4<Float>.self, capacity: R &* S) { sums in
            for i in 0..<R {
                for j in 0..<S { sums[i &* S &+ j] = (even[i][j] + odd[i][j]).foldedToFour }
            }
            for i in 0..<rows {
                for j in 0..<cols {
                    let total = sums[i &* S &+ j].treeSum() + tail[i][j]
                    let target = c + (i &* ldc &+ j)
                    target.pointee = accumulate ? target.pointee + total : total
                }
            }
        }
    }
}

/// A vector of floats whose lanes sum as a tree, halves added until one lane is left: `foldedToFour` takes it
/// to four lanes, then `SIMD4.treeSum()` to one. (`SIMD.sum()` adds the lanes one after another, a chain of 15
/// dependent additions for 16 lanes, and made a 4×256 · 256×256 product by dot products twice as slow.)
protocol TreeSummable: SIMD where Scalar == Float {
    /// Halves added until four lanes are left.
    var foldedToFour: SIMD4<Float> { get }
}

extension SIMD4<Float>: TreeSummable {
    var foldedToFour: SIMD4<Float> { self }

    /// The last steps of the tree: halves added down to one lane.
    @inline(__always)
    func treeSum() -> Float {
        let pair = lowHalf + highHalf
        return pair[0] + pair[1]
    }
}

extension SIMD8<Float>: TreeSummable {
    var foldedToFour: SIMD4<Float> {
        @inline(__always) get { lowHalf + highHalf }
    }
}

extension SIMD16<Float>: TreeSummable {
    var foldedToFour: SIMD4<Float> {
        @inline(__always) get { (lowHalf + highHalf).foldedToFour }
    }
}
