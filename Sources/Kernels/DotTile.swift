import FloatIntrinsics
import KernelSupport
/// `R` rows of A against `S` columns of B by dot products along the depth, for A's rows and B's columns both
/// contiguous (A · Wᵀ for a row-major weight W, as a linear layer computes it): element (i, j) of C is
/// Σ_p a[i·aRow + p]·b[j·bCol + p]. Nothing is packed, which is what a product of few rows needs: packing Wᵀ
/// into row-major strips cost more than the product itself for one row.
///
/// Each element sums in the same order whatever the tile: the vectors of `V` along the depth, numbered from 0
/// (the last one, if partial, with its lanes past the depth zeroed), even-numbered ones into one accumulator and odd
/// ones into another (two chains, as a tile of few rows needs); then the two added and summed across lanes as a
/// tree. So results do not depend on `R`, `S`, the product's shape or the thread count.
///
/// Rows past `rows` and columns past `cols` (at most `R` and `S`) re-read the last valid one and are not
/// stored. A row or column is read up to one vector past the depth, inside the storage's slack; `partial` marks
/// the lanes of a last, partial vector that lie inside the depth (`leadingLanes(k % V.scalarCount)`). Each
/// element goes through `epilogue` (its bias starting at the tile's first column) as it is stored.
enum DotTile<let R: Int, let S: Int, V: TreeSummable, M: MultiplyAccumulate, P: DotTilePrefetch> {
    @inline(never)
    static func multiply(
        rows: Int, cols: Int, k: Int, a: UnsafePointer<Float>, aRow: Int, b: UnsafePointer<Float>, bCol: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, epilogue: GEMMEpilogue,
        partial: SIMDMask<V.MaskStorage>
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
        var next = InlineArray<S, UnsafeRawPointer>(repeating: UnsafeRawPointer(b))
        if P.nextTile {
            for j in 0..<S { next[j] = UnsafeRawPointer(b + (S &+ j) &* bCol) }
        }
        // A `while` loop, as in `Tile`: the accumulators stay in registers.
        while p &+ 2 &* width <= k {
            if P.nextTile {
                for j in 0..<S {
                    swiftgrad_prefetch_l2(next[j] + offset)
                    swiftgrad_prefetch_l2(next[j] + (offset &+ bytes))
                }
            }
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
        // At most two vectors left: a whole or partial one into the even set, then a partial one into the odd
        // set, as if the pairs went on. A partial vector is loaded whole and its lanes past the depth zeroed in
        // both operands, so that what follows a row's end (NaN included) adds nothing.
        let left = k &- p
        if left >= width {
            addVector(to: &even, aStart, bStart, offset: offset, keep: nil)
        } else if left > 0 {
            addVector(to: &even, aStart, bStart, offset: offset, keep: partial)
        }
        if left > width {
            addVector(to: &odd, aStart, bStart, offset: offset &+ bytes, keep: partial)
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
                    let total = sums[i &* S &+ j].treeSum()
                    let target = c + (i &* ldc &+ j)
                    target.pointee = epilogue.apply(accumulate ? target.pointee + total : total, column: j)
                }
            }
        }
    }

    /// Adds the products of one vector of the depth, at byte `offset` in each row of A and column of B, to
    /// `set`; with `keep`, lanes outside it zeroed first.
    @inline(__always)
    private static func addVector(
        to set: inout InlineArray<R, InlineArray<S, V>>, _ aStart: InlineArray<R, UnsafeRawPointer>,
        _ bStart: InlineArray<S, UnsafeRawPointer>, offset: Int, keep: SIMDMask<V.MaskStorage>?
    ) {
        @inline(__always) func masked(_ v: V) -> V { keep.map { V().replacing(with: v, where: $0) } ?? v }
        for i in 0..<R {
            let x = masked(aStart[i].loadUnaligned(fromByteOffset: offset, as: V.self))
            for j in 0..<S {
                let y = masked(bStart[j].loadUnaligned(fromByteOffset: offset, as: V.self))
                set[i][j] = M.accumulate(set[i][j], x, y)
            }
        }
    }
}

/// Whether a `DotTile` asks for the next tile's columns of B while it multiplies (into L2, the same bytes of each
/// column as it reads of its own): for a B streamed from memory, as a language model's weights are read once per
/// token, where the hardware prefetchers, seeing four streams of 3 KB each, did not keep up. As a type, so that
/// the tiles without it compile as before.
protocol DotTilePrefetch { static var nextTile: Bool { get } }

/// Tiles that prefetch the next tile's columns.
enum PrefetchingNextTile: DotTilePrefetch { static var nextTile: Bool { true } }

/// Tiles that leave prefetching to the hardware.
enum NotPrefetching: DotTilePrefetch { static var nextTile: Bool { false } }

/// A vector of floats whose lanes sum as a tree, halves added until one lane is left: `foldedToFour` takes it
/// to four lanes, then `SIMD4.treeSum()` to one. (`SIMD.sum()` adds the lanes one after another, a chain of 15
/// dependent additions for 16 lanes, and made a 4×256 · 256×256 product by dot products twice as slow.) The
/// kernels' vectors also take ReLU here, each type its own: written once for any `SIMD`, `.<` compiles to a loop
/// over the lanes (a product with ReLU in its epilogue ran 15 % slower than without).
protocol TreeSummable: SIMD where Scalar == Float {
    /// Halves added until four lanes are left.
    var foldedToFour: SIMD4<Float> { get }
    /// ReLU of each lane, `x < 0 ? 0 : x` (NaN kept).
    func rectified() -> Self
}

extension SIMD4<Float>: TreeSummable {
    var foldedToFour: SIMD4<Float> { self }

    @inline(__always)
    func rectified() -> SIMD4<Float> { replacing(with: 0, where: self .< 0) }

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

    @inline(__always)
    func rectified() -> SIMD8<Float> { replacing(with: 0, where: self .< 0) }
}

extension SIMD16<Float>: TreeSummable {
    var foldedToFour: SIMD4<Float> {
        @inline(__always) get { (lowHalf + highHalf).foldedToFour }
    }

    @inline(__always)
    func rectified() -> SIMD16<Float> { replacing(with: 0, where: self .< 0) }
}

extension SIMD where Scalar: FloatingPoint {
    /// The lanes added one after another from lane 0, as the standard library's `sum()` adds them (the same
    /// bits), but specialised in this module: the standard library's specialisation would be a symbol of the
    /// same name in every level, and the linker might keep a wider level's copy for all of them.
    @inline(__always)
    func laneSum() -> Scalar {
        var total: Scalar = 0
        for lane in indices { total += self[lane] }
        return total
    }
}
