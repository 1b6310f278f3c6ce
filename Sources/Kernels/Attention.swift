import KernelSupport

// Scaled dot-product attention without the T × T matrix (flash attention's schedule, on a CPU): a block of
// `queryBlock` queries meets the keys `keyBlock` at a time; each block's scores are one small product (the level's
// GEMM on one thread), the softmax is kept online (a running maximum and sum per query rescale what has been
// accumulated when a larger score arrives), and the weighted values are a second product added into the block's
// output. Memory beyond the output is one block of scores and one of output per thread, O(T·d) in all. The
// backward pass recomputes each block's weights from the saved log Σ e^score, as flash attention does, instead of
// storing them. Threads take (batch, query block) pairs forward and whole batch entries backward, where each
// entry's key and value gradients are accumulated by one thread only.

/// Queries per block: a multiple of the GEMM tile's six rows, and few enough that a block's scores and output stay
/// in L1 next to a key block.
private let queryBlock = 48
/// Keys per block: one 64-wide AVX-512 tile of scores.
private let keyBlock = 64

/// C (+)= A·B for the blocks of one attention, each matrix given by its strides: the level's GEMM (one thread) for
/// floats, or `bfloat16`'s products (autocast); for doubles (gradient checks) the reference loop nest.
@inline(__always)
private func blockProduct<T: KernelScalar>(
    m: Int, n: Int, k: Int, a: UnsafePointer<T>, aRow: Int, aCol: Int, b: UnsafePointer<T>, bRow: Int, bCol: Int,
    c: UnsafeMutablePointer<T>, ldc: Int, accumulate: Bool, bfloat16: (any BFloat16Products.Type)?
) {
    if T.self == Float.self && m > 0 && n > 0 && k > 0 {
        let left = MatrixView(base: UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), rowStride: aRow, colStride: aCol)
        let right = MatrixView(base: UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), rowStride: bRow, colStride: bCol)
        let product = UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self)
        if let bfloat16 {
            bfloat16.gemm(m: m, n: n, k: k, a: BFloat16MatrixView(left), b: BFloat16MatrixView(right), c: product,
                          ldc: ldc, accumulate: accumulate, threads: 1)
        } else {
            LevelGEMM.multiply(m: m, n: n, k: k, a: left, b: right, c: product, ldc: ldc, accumulate: accumulate, threads: 1)
        }
        return
    }
    referenceGEMM(m: m, n: n, k: k, a: a, aRow: aRow, aCol: aCol, b: b, bRow: bRow, bCol: bCol, c: c, ldc: ldc,
                  accumulate: accumulate)
}

/// The largest of `row[0..<n]` (−∞ for none): 16 lanes at a time for floats.
@inline(__always)
private func rowMaximum<T: KernelScalar>(_ row: UnsafeMutablePointer<T>, _ n: Int) -> T {
    var j = 0, largest = T(-Double.infinity)
    if T.self == Float.self {
        let floats = UnsafeMutableRawPointer(row)
        var lanes = SIMD16<Float>(repeating: -.infinity)
        while j &+ 16 <= n {
            let values = (floats + 4 &* j).loadUnaligned(as: SIMD16<Float>.self)
            lanes.replace(with: values, where: values .> lanes)
            j &+= 16
        }
        // Halves folded together by compare and select: Swift's generic `max()` and `pointwiseMax` went through the
        // stack lane by lane.
        var eight = lanes.lowHalf
        eight.replace(with: lanes.highHalf, where: lanes.highHalf .> eight)
        var four = eight.lowHalf
        four.replace(with: eight.highHalf, where: eight.highHalf .> four)
        largest = T(Swift.max(Swift.max(four[0], four[1]), Swift.max(four[2], four[3])))
    }
    while j < n {
        if row[j] > largest { largest = row[j] }
        j &+= 1
    }
    return largest
}

/// `row[j] = e^(row[j] − shift)` for j < n, returning their sum: for floats 16 lanes at a time through the
/// elementary functions' vector exp (a call of the scalar one per element was most of the kernel's own time).
@inline(__always)
private func exponentiate<T: KernelScalar>(_ row: UnsafeMutablePointer<T>, _ n: Int, minus shift: T) -> T {
    var j = 0, sum = T(0)
    if T.self == Float.self {
        let (floats, offset) = (UnsafeMutableRawPointer(row), Float(shift))
        var lanes = SIMD16<Float>(repeating: 0)
        while j &+ 16 <= n {
            let weights = ElementaryFunctions.exp((floats + 4 &* j).loadUnaligned(as: SIMD16<Float>.self) - offset)
            (floats + 4 &* j).storeBytes(of: weights, as: SIMD16<Float>.self)
            lanes += weights
            j &+= 16
        }
        sum = T(lanes.foldedToFour.treeSum())
    }
    while j < n {
        let weight = T.exp(row[j] - shift)
        row[j] = weight
        sum += weight
        j &+= 1
    }
    return sum
}

extension AttentionProblem {
    /// Whether dropout keeps the weight of query `query` on key `key` in batch entry `batch`: a uniform number
    /// from a hash of the seed and the position (SplitMix64's finaliser), at least the dropout probability.
    @inline(__always)
    func keeps(batch: Int, query: Int, key: Int) -> Bool {
        var z = seed &+ UInt64(truncatingIfNeeded: (batch &* queries &+ query) &* keys &+ key) &* 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        z ^= z >> 31
        return Double(z >> 11) * 0x1p-53 >= dropout
    }

    /// The keys query `query` may see: all of them, or with causal masking those up to its own position.
    @inline(__always)
    func visibleKeys(query: Int) -> Int { causal ? Swift.min(keys, query &+ 1) : keys }

    /// The first element of matrix `batch` of an operand laid out as `layout`.
    @inline(__always)
    func matrix<T>(_ base: UnsafeRawPointer, _ layout: MatrixLayout, batch: Int, as _: T.Type) -> UnsafePointer<T> {
        base.assumingMemoryBound(to: T.self) + layout.offset(ofMatrix: batch, batchShape: batchShape)
    }

    /// Turns a block of raw products `q·k` into scores: × scale, + the mask, −∞ past the causal diagonal.
    @inline(__always)
    func scoreBlock<T: KernelScalar>(_ scores: UnsafeMutablePointer<T>, ld: Int, batch: Int, firstQuery: Int, rows: Int,
                                     firstKey: Int, cols: Int) {
        let factor = T(scale)
        let masked = mask.map { ($0.assumingMemoryBound(to: T.self), maskLayout!) }.map { base, layout in
            (base + layout.offset(ofMatrix: batch, batchShape: batchShape), layout)
        }
        for i in 0..<rows {
            let row = scores + i &* ld
            for j in 0..<cols { row[j] *= factor }
            if let (base, layout) = masked {
                let maskRow = base + ((firstQuery &+ i) &* layout.rowStride &+ firstKey &* layout.columnStride)
                for j in 0..<cols { row[j] += maskRow[j &* layout.columnStride] }
            }
            let visible = visibleKeys(query: firstQuery &+ i) &- firstKey
            if visible < cols { for j in Swift.max(visible, 0)..<cols { row[j] = -.infinity } }
        }
    }
}

/// The forward pass (see `KernelSet.attention`).
struct AttentionKernel: ScalarKernel {
    let problem: AttentionProblem
    let q: UnsafeRawPointer, k: UnsafeRawPointer, v: UnsafeRawPointer
    let out: UnsafeMutableRawPointer, logSumExp: UnsafeMutableRawPointer
    let threads: Int

    func run<T: KernelScalar>(_: T.Type) {
        let p = problem
        let blocks = (p.queries + queryBlock - 1) / queryBlock
        let items = p.batch * blocks
        let work = 4 * items * queryBlock * Swift.max(p.keys, 1) * Swift.max(p.depth + p.valueDepth, 1)
        let parts = Swift.max(1, Swift.min(threads, items, work / 200_000))
        Parallelism.pool().run(parts: parts) { part in
            let scores = UnsafeMutablePointer<T>.allocate(capacity: queryBlock * keyBlock)
            let accumulator = UnsafeMutablePointer<T>.allocate(capacity: queryBlock * Swift.max(p.valueDepth, 1))
            let runningMax = UnsafeMutablePointer<T>.allocate(capacity: queryBlock)
            let runningSum = UnsafeMutablePointer<T>.allocate(capacity: queryBlock)
            defer {
                scores.deallocate()
                accumulator.deallocate()
                runningMax.deallocate()
                runningSum.deallocate()
            }
            for item in stride(from: part, to: items, by: parts) {
                let (b, first) = (item / blocks, (item % blocks) * queryBlock)
                queryBlockForward(T.self, batch: b, firstQuery: first, rows: Swift.min(queryBlock, p.queries - first),
                                  scores: scores, accumulator: accumulator, runningMax: runningMax, runningSum: runningSum)
            }
        }
    }

    @inline(__always)
    private func queryBlockForward<T: KernelScalar>(
        _: T.Type, batch b: Int, firstQuery: Int, rows: Int, scores: UnsafeMutablePointer<T>,
        accumulator: UnsafeMutablePointer<T>, runningMax: UnsafeMutablePointer<T>, runningSum: UnsafeMutablePointer<T>
    ) {
        let p = problem
        let dv = p.valueDepth
        let (ql, kl, vl) = (p.queryLayout, p.keyLayout, p.valueLayout)
        let queries = p.matrix(q, ql, batch: b, as: T.self) + firstQuery &* ql.rowStride
        let (keys, values) = (p.matrix(k, kl, batch: b, as: T.self), p.matrix(v, vl, batch: b, as: T.self))
        runningMax.initialize(repeating: -.infinity, count: rows)
        runningSum.initialize(repeating: 0, count: rows)
        accumulator.initialize(repeating: 0, count: rows &* dv)
        let keyEnd = p.visibleKeys(query: firstQuery &+ rows &- 1)
        let invKeep = T(1 / (1 - p.dropout))
        for firstKey in stride(from: 0, to: keyEnd, by: keyBlock) {
            let cols = Swift.min(keyBlock, keyEnd &- firstKey)
            blockProduct(m: rows, n: cols, k: p.depth, a: queries, aRow: ql.rowStride, aCol: ql.columnStride,
                         b: keys + firstKey &* kl.rowStride, bRow: kl.columnStride, bCol: kl.rowStride, c: scores,
                         ldc: keyBlock, accumulate: false, bfloat16: p.bfloat16)
            p.scoreBlock(scores, ld: keyBlock, batch: b, firstQuery: firstQuery, rows: rows, firstKey: firstKey, cols: cols)
            for i in 0..<rows {
                let row = scores + i &* keyBlock
                let newMax = Swift.max(runningMax[i], rowMaximum(row, cols))
                if newMax == -.infinity {
                    row.update(repeating: 0, count: cols)
                    continue
                }
                let rescale = T.exp(runningMax[i] - newMax)
                let sum = exponentiate(row, cols, minus: newMax)
                if p.dropout > 0 {
                    for j in 0..<cols {
                        row[j] = p.keeps(batch: b, query: firstQuery &+ i, key: firstKey &+ j) ? row[j] * invKeep : 0
                    }
                }
                runningSum[i] = runningSum[i] * rescale + sum
                runningMax[i] = newMax
                if rescale != 1 {
                    let acc = accumulator + i &* dv
                    for c in 0..<dv { acc[c] *= rescale }
                }
            }
            blockProduct(m: rows, n: dv, k: cols, a: scores, aRow: keyBlock, aCol: 1, b: values + firstKey &* vl.rowStride,
                         bRow: vl.rowStride, bCol: vl.columnStride, c: accumulator, ldc: dv, accumulate: true, bfloat16: p.bfloat16)
        }
        let output = out.typed(T.self) + (b &* p.queries &+ firstQuery) &* dv
        let lse = logSumExp.typed(T.self) + (b &* p.queries &+ firstQuery)
        for i in 0..<rows {
            let (sum, row, acc) = (runningSum[i], output + i &* dv, accumulator + i &* dv)
            if sum > 0 {
                let inverse = 1 / sum
                for c in 0..<dv { row[c] = acc[c] * inverse }
                lse[i] = runningMax[i] + T.log(sum)
            } else {
                row.update(repeating: 0, count: dv)
                lse[i] = .infinity
            }
        }
    }
}

/// The backward pass (see `KernelSet.attentionBackward`): with P the attention weights (recomputed), P̃ them after
/// dropout, D_i = Σ_c dO[i, c]·O[i, c]: dV = P̃ᵀ·dO, dP̃ = dO·Vᵀ, dS = P ∘ (dP − D)·scale (dP = dP̃ after dropout's
/// mask and scale), dQ = dS·K, dK = dSᵀ·Q.
struct AttentionBackwardKernel: ScalarKernel {
    let problem: AttentionProblem
    let q: UnsafeRawPointer, k: UnsafeRawPointer, v: UnsafeRawPointer, out: UnsafeRawPointer
    let logSumExp: UnsafeRawPointer, outGradient: UnsafeRawPointer
    let qGradient: UnsafeMutableRawPointer, kGradient: UnsafeMutableRawPointer, vGradient: UnsafeMutableRawPointer
    let threads: Int

    func run<T: KernelScalar>(_: T.Type) {
        let p = problem
        let work = 8 * p.batch * p.queries * Swift.max(p.keys, 1) * Swift.max(p.depth + p.valueDepth, 1)
        let parts = Swift.max(1, Swift.min(threads, p.batch, work / 200_000))
        Parallelism.pool().run(parts: parts) { part in
            let weights = UnsafeMutablePointer<T>.allocate(capacity: queryBlock * keyBlock)
            let dropped = UnsafeMutablePointer<T>.allocate(capacity: p.dropout > 0 ? queryBlock * keyBlock : 1)
            let scoreGradient = UnsafeMutablePointer<T>.allocate(capacity: queryBlock * keyBlock)
            let rowDots = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(p.queries, 1))
            defer {
                weights.deallocate()
                dropped.deallocate()
                scoreGradient.deallocate()
                rowDots.deallocate()
            }
            for b in stride(from: part, to: p.batch, by: parts) {
                batchBackward(T.self, batch: b, weights: weights, dropped: dropped, scoreGradient: scoreGradient,
                              rowDots: rowDots)
            }
        }
    }

    @inline(__always)
    private func batchBackward<T: KernelScalar>(
        _: T.Type, batch b: Int, weights: UnsafeMutablePointer<T>, dropped: UnsafeMutablePointer<T>,
        scoreGradient: UnsafeMutablePointer<T>, rowDots: UnsafeMutablePointer<T>
    ) {
        let p = problem
        let (d, dv, tq, tk) = (p.depth, p.valueDepth, p.queries, p.keys)
        let (ql, kl, vl) = (p.queryLayout, p.keyLayout, p.valueLayout)
        let (queries, keys) = (p.matrix(q, ql, batch: b, as: T.self), p.matrix(k, kl, batch: b, as: T.self))
        let (values, output) = (p.matrix(v, vl, batch: b, as: T.self), out.typed(T.self) + b &* tq &* dv)
        let (dOut, lse) = (outGradient.typed(T.self) + b &* tq &* dv, logSumExp.typed(T.self) + b &* tq)
        let dQ = qGradient.typed(T.self) + b &* tq &* d
        let (dK, dV) = (kGradient.typed(T.self) + b &* tk &* d, vGradient.typed(T.self) + b &* tk &* dv)
        for i in 0..<tq { rowDots[i] = laneSum(dv) { dOut[i &* dv &+ $0] * output[i &* dv &+ $0] } }
        dQ.initialize(repeating: 0, count: tq &* d)
        dK.initialize(repeating: 0, count: tk &* d)
        dV.initialize(repeating: 0, count: tk &* dv)
        let (invKeep, factor) = (T(1 / (1 - p.dropout)), T(p.scale))
        for firstKey in stride(from: 0, to: tk, by: keyBlock) {
            let cols = Swift.min(keyBlock, tk &- firstKey)
            // With causal masking, the query blocks before the first that sees this key block are skipped.
            let start = p.causal ? Swift.min(firstKey, tq) / queryBlock * queryBlock : 0
            for firstQuery in stride(from: start, to: tq, by: queryBlock) {
                let rows = Swift.min(queryBlock, tq &- firstQuery)
                let (qBlock, kBlock) = (queries + firstQuery &* ql.rowStride, keys + firstKey &* kl.rowStride)
                let (vBlock, dOBlock) = (values + firstKey &* vl.rowStride, dOut + firstQuery &* dv)
                blockProduct(m: rows, n: cols, k: d, a: qBlock, aRow: ql.rowStride, aCol: ql.columnStride, b: kBlock,
                             bRow: kl.columnStride, bCol: kl.rowStride, c: weights, ldc: keyBlock, accumulate: false, bfloat16: p.bfloat16)
                p.scoreBlock(weights, ld: keyBlock, batch: b, firstQuery: firstQuery, rows: rows, firstKey: firstKey,
                             cols: cols)
                for i in 0..<rows {
                    let (row, rowLSE) = (weights + i &* keyBlock, lse[firstQuery &+ i])
                    if rowLSE == .infinity {
                        row.update(repeating: 0, count: cols)
                    } else {
                        _ = exponentiate(row, cols, minus: rowLSE)
                    }
                    guard p.dropout > 0 else { continue }
                    let droppedRow = dropped + i &* keyBlock
                    for j in 0..<cols {
                        droppedRow[j] = p.keeps(batch: b, query: firstQuery &+ i, key: firstKey &+ j) ? row[j] * invKeep : 0
                    }
                }
                let applied = p.dropout > 0 ? dropped : weights
                blockProduct(m: cols, n: dv, k: rows, a: applied, aRow: 1, aCol: keyBlock, b: dOBlock, bRow: dv, bCol: 1,
                             c: dV + firstKey &* dv, ldc: dv, accumulate: true, bfloat16: p.bfloat16)
                blockProduct(m: rows, n: cols, k: dv, a: dOBlock, aRow: dv, aCol: 1, b: vBlock, bRow: vl.columnStride,
                             bCol: vl.rowStride, c: scoreGradient, ldc: keyBlock, accumulate: false, bfloat16: p.bfloat16)
                for i in 0..<rows {
                    let (row, gradientRow, dot) = (weights + i &* keyBlock, scoreGradient + i &* keyBlock, rowDots[firstQuery &+ i])
                    if p.dropout > 0 {
                        let query = firstQuery &+ i
                        for j in 0..<cols {
                            let kept = p.keeps(batch: b, query: query, key: firstKey &+ j) ? gradientRow[j] * invKeep : 0
                            gradientRow[j] = row[j] * (kept - dot) * factor
                        }
                    } else {
                        for j in 0..<cols { gradientRow[j] = row[j] * (gradientRow[j] - dot) * factor }
                    }
                }
                blockProduct(m: rows, n: d, k: cols, a: scoreGradient, aRow: keyBlock, aCol: 1, b: kBlock,
                             bRow: kl.rowStride, bCol: kl.columnStride, c: dQ + firstQuery &* d, ldc: d, accumulate: true, bfloat16: p.bfloat16)
                blockProduct(m: cols, n: d, k: rows, a: scoreGradient, aRow: 1, aCol: keyBlock, b: qBlock,
                             bRow: ql.rowStride, bCol: ql.columnStride, c: dK + firstKey &* d, ldc: d, accumulate: true, bfloat16: p.bfloat16)
            }
        }
    }
}
