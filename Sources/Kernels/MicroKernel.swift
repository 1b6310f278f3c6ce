import KernelSupport
import FloatIntrinsics

/// How a kernel family multiplies and accumulates: one fused instruction where the build targets FMA, a
/// separate multiply and add elsewhere (on baseline x86-64 `addingProduct` becomes a libm `fmaf` call per
/// lane, about 100× slower).
protocol MultiplyAccumulate {
    static func accumulate<V: SIMD>(_ acc: V, _ a: V, _ b: V) -> V where V.Scalar == Float
}

/// `acc + a·b` in one rounding: `vfmadd231ps` / `fmla`.
enum FusedMultiplyAdd: MultiplyAccumulate {
    @inline(__always)
    static func accumulate<V: SIMD>(_ acc: V, _ a: V, _ b: V) -> V where V.Scalar == Float {
        acc.addingProduct(a, b)
    }
}

/// `acc + a·b` as a multiply then an add, for CPUs (or builds) without FMA.
enum SeparateMultiplyAdd: MultiplyAccumulate {
    @inline(__always)
    static func accumulate<V: SIMD>(_ acc: V, _ a: V, _ b: V) -> V where V.Scalar == Float {
        acc + a * b
    }
}

// In the kernels' module, so that it is inlined into the tiles' stores and compiled with their instructions (from
// KernelSupport it was a call per element: a product with the epilogue ran 19 % slower than without).
extension GEMMEpilogue {
    /// Whether it changes anything.
    var isNone: Bool { bias == nil && activation == .identity }

    /// The epilogue of C's columns from `column` on.
    @inline(__always)
    func columns(from column: Int) -> GEMMEpilogue {
        GEMMEpilogue(bias: bias.map { $0 + column }, activation: activation)
    }

    /// Applies it to one element of C's column `column`.
    @inline(__always)
    func apply(_ value: Float, column: Int) -> Float {
        var result = value
        if let bias { result += bias[column] }
        return activated(result)
    }

    /// The activation of one element, with the same bits as the elementwise op gives.
    @inline(__always)
    func activated(_ value: Float) -> Float {
        switch activation {
        case .identity: return value
        case .relu: return value < 0 ? 0 : value
        case .gelu: return ElementaryFunctions.gelu(value)
        case .geluTanh: return ElementaryFunctions.geluTanh(value)
        }
    }

    /// The activation of a vector of C: GELU on 16 lanes at once where the vector has 16 (a product's
    /// epilogue computing it lane by lane took a third of a BERT's forward pass), lane by lane otherwise; the
    /// lanes agree with the scalar form bit for bit.
    @inline(__always)
    func activated<V: TreeSummable>(_ value: V) -> V {
        switch activation {
        case .identity: return value
        case .relu: return value.rectified()
        case .gelu, .geluTanh:
            if V.scalarCount == 16 {
                let lanes = unsafeBitCast(value, to: SIMD16<Float>.self)
                let result = activation == .gelu ? ElementaryFunctions.gelu(lanes) : ElementaryFunctions.geluTanh(lanes)
                return unsafeBitCast(result, to: V.self)
            }
            var result = value
            for lane in 0..<V.scalarCount { result[lane] = activated(value[lane]) }
            return result
        }
    }
}

/// A mask of the first `count` lanes of `V`: which lanes of a vector loaded whole across the end of a row lie
/// inside it.
func leadingLanes<V: SIMD>(_ count: Int, of _: V.Type) -> SIMDMask<V.MaskStorage> {
    var mask = SIMDMask<V.MaskStorage>(repeating: false)
    for lane in 0..<count { mask[lane] = true }
    return mask
}

/// The operands of one tile of C: `c[i·ldc + j]` (+)= Σ_p A(i, p)·B(p, j) for i < `rows`, j < `cols`, p < `depth`.
/// A's element (i, p) is `a[i·aRow + p·aDepth]`; B's depth step p is a row of vectors at `b + p·bDepth`, so packed
/// panels (aRow 1, aDepth = the panel's rows, bDepth = the strip's width) and unpacked row-major operands use the
/// same kernels.
struct TileOperands {
    var rows: Int, cols: Int, depth: Int
    var a: UnsafePointer<Float>, aRow: Int, aDepth: Int
    var b: UnsafePointer<Float>, bDepth: Int
    var c: UnsafeMutablePointer<Float>, ldc: Int
    /// Whether to add to C rather than overwrite it.
    var accumulate: Bool
    /// What to apply to each element as it is stored, its bias starting at the tile's first column.
    var epilogue: GEMMEpilogue = .none
}

/// A register tile of `R` rows by `C` vectors of `V` (R × C·V.scalarCount floats of C), accumulated over the
/// depth `k` in `U` independent sets (so short, narrow products still keep enough FMAs in flight). `D` = 1
/// compiles it for A's depth stride 1 (rows of A contiguous), so that the sets' loads differ by a constant
/// offset; `D` = 0 takes the stride as given.
///
/// The accumulators live in `InlineArray`s: after specialisation every subscript is a constant and each
/// accumulator is a register (an `Array` of SIMD values spills: measured 5× slower).
///
/// Rows past `rows` (at most `R`) re-read the last valid row and are not stored; columns past `cols` are computed
/// from whatever follows B's row (storage keeps slack for it) and are not stored.
enum Tile<let R: Int, let C: Int, let U: Int, let D: Int, V: TreeSummable, M: MultiplyAccumulate> {
    /// Not inlined: inlined into the `direct` path's loops, its row pointers no longer fitted in registers and
    /// three were reloaded from the stack on every step (the lesson's 5×784 · 784×10 is 4 % faster as a call).
    @inline(never)
    static func multiply(_ operands: TileOperands) {
        let (rows, k, a, aRow, b) = (operands.rows, operands.depth, operands.a, operands.aRow, operands.b)
        let aDepth = D == 1 ? 1 : operands.aDepth
        var acc = InlineArray<U, InlineArray<R, InlineArray<C, V>>>(
            repeating: InlineArray(repeating: InlineArray(repeating: V())))
        var rowOffset = InlineArray<R, Int>(repeating: 0)
        for i in 0..<R { rowOffset[i] = Swift.min(i, rows &- 1) &* aRow }
        var aStep = a
        let width = V.scalarCount &* MemoryLayout<Float>.stride
        var bRow = UnsafeRawPointer(b)
        let bStep = operands.bDepth &* MemoryLayout<Float>.stride
        var p = 0
        // B's row eight depth steps ahead, requested now, where B's rows lie 1 KB or more apart (B read in place
        // from a wide matrix): a new page every few steps, which the hardware prefetchers, staying within a page,
        // do not follow. 8×784 · 784×1024 170 → 136 µs, 12×1024 · 1024×1024 265 → 213, 4×2048 · 2048×2048 −17 %
        // (4 and 12 steps ahead gained less). On closer rows they follow B themselves, and the extra loads cost
        // the AVX2 build's 5×784 · 784×10 7 %. Tiles of one or two rows and one-vector tiles are bound by their
        // loads and gained nothing: they never prefetch.
        let prefetches = R >= 3 && C > 1 && operands.bDepth >= 256
        let ahead = 8 &* bStep
        // Keep this shape of loop: written as a plain `for _ in 0..<k`, the optimiser left the accumulators in
        // memory and stored all 24 of them on every step (3× slower, measured).
        while p &+ U <= k {
            for u in 0..<U {
                if prefetches {
                    for j in 0..<C { swiftgrad_prefetch(bRow + ahead + j &* width) }
                }
                var bv = InlineArray<C, V>(repeating: V())
                for j in 0..<C { bv[j] = bRow.loadUnaligned(fromByteOffset: j &* width, as: V.self) }
                for i in 0..<R {
                    let av = V(repeating: aStep[rowOffset[i] &+ u &* aDepth])
                    for j in 0..<C { acc[u][i][j] = M.accumulate(acc[u][i][j], av, bv[j]) }
                }
                bRow += bStep
            }
            aStep += U &* aDepth
            p &+= U
        }
        while p < k {
            var bv = InlineArray<C, V>(repeating: V())
            for j in 0..<C { bv[j] = bRow.loadUnaligned(fromByteOffset: j &* width, as: V.self) }
            for i in 0..<R {
                let av = V(repeating: aStep[rowOffset[i]])
                for j in 0..<C { acc[0][i][j] = M.accumulate(acc[0][i][j], av, bv[j]) }
            }
            bRow += bStep
            aStep += aDepth
            p &+= 1
        }
        for u in 1..<Swift.max(U, 1) {
            for i in 0..<R {
                for j in 0..<C { acc[0][i][j] += acc[u][i][j] }
            }
        }
        store(acc[0], rows: rows, cols: operands.cols, c: operands.c, ldc: operands.ldc,
              accumulate: operands.accumulate, epilogue: operands.epilogue)
    }

    /// Writes (or adds) the valid `rows` × `cols` corner of the tile into C, through `epilogue`.
    ///
    /// Every subscript of `tile` must be a constant after unrolling: one that is not (a loop over the valid
    /// rows that the optimiser did not unroll) kept all the accumulators in memory, zeroed by a `memset` per
    /// call and reloaded around the loop (2 % of a training step). So a whole tile is stored by loops of fixed
    /// length, and an edge tile is first copied out whole, in two halves: Swift keeps a temporary allocation on the
    /// stack only up to 1 KB, and one copy of a 6 × 4 tile of 16 lanes (1.5 KB) was a `malloc` and `free` per edge
    /// tile (200×100 · 100×50 27.1 → 25.0 µs with the halves).
    @inline(__always)
    static func store(
        _ tile: InlineArray<R, InlineArray<C, V>>, rows: Int, cols: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, epilogue: GEMMEpilogue
    ) {
        let n = V.scalarCount
        if rows == R && cols == C &* n {
            if epilogue.isNone {
                for i in 0..<R {
                    for j in 0..<C { storeVector(tile[i][j], c + i &* ldc + j &* n, accumulate: accumulate) }
                }
                return
            }
            var bias = InlineArray<C, V>(repeating: V())
            if let start = epilogue.bias {
                for j in 0..<C { bias[j] = UnsafeRawPointer(start + j &* n).loadUnaligned(as: V.self) }
            }
            for i in 0..<R {
                for j in 0..<C {
                    let destination = c + i &* ldc + j &* n
                    var value = tile[i][j]
                    if accumulate { value += UnsafeRawPointer(destination).loadUnaligned(as: V.self) }
                    value += bias[j]
                    value = epilogue.activated(value)
                    UnsafeMutableRawPointer(destination).storeBytes(of: value, as: V.self)
                }
            }
            return
        }
        let half = (R + 1) / 2
        withUnsafeTemporaryAllocation(of: V.self, capacity: half &* C) { top in
        withUnsafeTemporaryAllocation(of: V.self, capacity: Swift.max(1, R &- half) &* C) { bottom in
            for i in 0..<R {
                for j in 0..<C {
                    if i < half { top[i &* C &+ j] = tile[i][j] } else { bottom[(i &- half) &* C &+ j] = tile[i][j] }
                }
            }
            for i in 0..<rows {
                let row = c + i &* ldc
                for j in 0..<C where j &* n < cols {
                    let (start, value) = (j &* n, i < half ? top[i &* C &+ j] : bottom[(i &- half) &* C &+ j])
                    if start &+ n <= cols && epilogue.isNone {
                        storeVector(value, row + start, accumulate: accumulate)
                    } else {
                        for l in 0..<Swift.min(n, cols &- start) {
                            let sum = accumulate ? row[start &+ l] + value[l] : value[l]
                            row[start &+ l] = epilogue.apply(sum, column: start &+ l)
                        }
                    }
                }
            }
        }
        }
    }

    /// Writes (or adds) one whole vector at `destination`. (Written as `accumulate ? value + load : value`, it
    /// brought the `memset` back: keep the `if`.)
    @inline(__always)
    private static func storeVector(_ value: V, _ destination: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let raw = UnsafeMutableRawPointer(destination)
        var value = value
        if accumulate { value += raw.loadUnaligned(as: V.self) }
        raw.storeBytes(of: value, as: V.self)
    }
}

/// A register tile of `R` rows by `C` vectors of `V` and, to their right, one vector of `H` (half as many lanes):
/// the last strip of a product whose columns end at most half a vector past a whole one (the lesson's 50 as
/// 3 × 16 + 8 on AVX-512). Each depth step's element of A is broadcast once for both, and the half vector's
/// multiply-adds interleave with the whole ones': as a tile of its own, the half vector's six accumulators waited
/// on each other's latency. Rows and columns past the tile's are handled as `Tile`'s are.
enum HalfTailTile<let R: Int, let C: Int, V: TreeSummable, H: TreeSummable, M: MultiplyAccumulate> {
    @inline(never)
    static func multiply(_ operands: TileOperands) {
        let (rows, k, aRow, aDepth) = (operands.rows, operands.depth, operands.aRow, operands.aDepth)
        var acc = InlineArray<R, InlineArray<C, V>>(repeating: InlineArray(repeating: V()))
        var tail = InlineArray<R, H>(repeating: H())
        var rowOffset = InlineArray<R, Int>(repeating: 0)
        for i in 0..<R { rowOffset[i] = Swift.min(i, rows &- 1) &* aRow }
        var aStep = operands.a
        let width = V.scalarCount &* MemoryLayout<Float>.stride
        var bRow = UnsafeRawPointer(operands.b)
        let bStep = operands.bDepth &* MemoryLayout<Float>.stride
        var p = 0
        // A `while` loop, as in `Tile`: the accumulators stay in registers.
        while p < k {
            var bv = InlineArray<C, V>(repeating: V())
            for j in 0..<C { bv[j] = bRow.loadUnaligned(fromByteOffset: j &* width, as: V.self) }
            let bh = bRow.loadUnaligned(fromByteOffset: C &* width, as: H.self)
            for i in 0..<R {
                let x = aStep[rowOffset[i]]
                let av = V(repeating: x)
                for j in 0..<C { acc[i][j] = M.accumulate(acc[i][j], av, bv[j]) }
                tail[i] = M.accumulate(tail[i], H(repeating: x), bh)
            }
            bRow += bStep
            aStep += aDepth
            p &+= 1
        }
        let whole = C &* V.scalarCount
        Tile<R, C, 1, 0, V, M>.store(acc, rows: rows, cols: whole, c: operands.c, ldc: operands.ldc,
                                     accumulate: operands.accumulate, epilogue: operands.epilogue)
        var tailTile = InlineArray<R, InlineArray<1, H>>(repeating: InlineArray(repeating: H()))
        for i in 0..<R { tailTile[i][0] = tail[i] }
        Tile<R, 1, 1, 0, H, M>.store(tailTile, rows: rows, cols: operands.cols &- whole, c: operands.c + whole,
                                     ldc: operands.ldc, accumulate: operands.accumulate,
                                     epilogue: operands.epilogue.columns(from: whole))
    }
}
