import KernelSupport
/// The sum of `n` contiguous elements: blocks of up to 2048 summed in four SIMD accumulators (vectorised; the
/// compiler may not reorder a scalar float sum), blocks combined pairwise, so the rounding error grows with
/// log n rather than n, as in NumPy's pairwise sum.
func sumContiguous<T: KernelScalar>(_ p: UnsafePointer<T>, _ n: Int) -> T {
    if n <= 2048 { return sumBlock(p, n) }
    let half = pairwiseHalf(n)
    return sumContiguous(p, half) + sumContiguous(p + half, n - half)
}

/// Where the pairwise sum splits `n` (> 2048) elements: near the middle, on a multiple of 32.
@inline(__always)
private func pairwiseHalf(_ n: Int) -> Int { (n / 2 + 31) & ~31 }

@inline(__always)
private func sumBlock<T: KernelScalar>(_ p: UnsafePointer<T>, _ n: Int) -> T {
    let raw = UnsafeRawPointer(p)
    let width = MemoryLayout<T>.stride
    var a0 = SIMD8<T>(), a1 = SIMD8<T>(), a2 = SIMD8<T>(), a3 = SIMD8<T>()
    var i = 0
    while i &+ 32 <= n {
        a0 += raw.loadUnaligned(fromByteOffset: i &* width, as: SIMD8<T>.self)
        a1 += raw.loadUnaligned(fromByteOffset: (i &+ 8) &* width, as: SIMD8<T>.self)
        a2 += raw.loadUnaligned(fromByteOffset: (i &+ 16) &* width, as: SIMD8<T>.self)
        a3 += raw.loadUnaligned(fromByteOffset: (i &+ 24) &* width, as: SIMD8<T>.self)
        i &+= 32
    }
    var total = ((a0 + a1) + (a2 + a3)).laneSum()
    while i < n {
        total += p[i]
        i &+= 1
    }
    return total
}

/// `a` or `b`, whichever `op` keeps; NaN always wins, wherever it is.
@inline(__always)
private func pick<T: KernelScalar>(_ op: ReduceOp, _ a: T, _ b: T) -> T {
    switch op {
    case .sum: return a + b
    case .max: return b > a || b.isNaN ? b : a
    case .min: return b < a || b.isNaN ? b : a
    }
}

/// The largest (or smallest) of `n` ≥ 1 contiguous elements, exactly as `pick` applied left to right gives it
/// (the last NaN if there is one; of equal values the first, which matters only for ±0). Float rows of 64 or
/// more go through `extremeOfFloats` first.
private func extremeContiguous<T: KernelScalar>(_ op: ReduceOp, _ p: UnsafePointer<T>, _ n: Int) -> T {
    if T.self == Float.self && n >= 64,
       let m = extremeOfFloats(op, UnsafeRawPointer(p).assumingMemoryBound(to: Float.self), n) {
        return unsafeBitCast(m, to: T.self)
    }
    var m = p[0]
    for k in 1..<n { m = pick(op, m, p[k]) }
    return m
}

/// The extreme of `n` ≥ 32 floats in 32 independent chains, the lanes of two `SIMD16<Float>`s (one chain of
/// compares, each waiting for the last, was three quarters of a softmax; four scalar chains still half of it).
/// Without NaN and ±0 the extreme is the same in any order; nil, for the caller's single chain, when the row holds
/// a NaN or an infinity (x·0 is NaN for both) or its extreme is zero. Concrete `SIMD16<Float>`: the same code
/// generic over the scalar type compiled its compares to loops over the lanes (5× slower than four chains).
private func extremeOfFloats(_ op: ReduceOp, _ p: UnsafePointer<Float>, _ n: Int) -> Float? {
    let raw = UnsafeRawPointer(p)
    func lanes(_ i: Int) -> SIMD16<Float> { raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self) }
    var (m0, m1) = (lanes(0), lanes(16))
    var poison = m0 * 0 + m1 * 0
    var i = 32
    while i &+ 32 <= n {
        let (x0, x1) = (lanes(i), lanes(i &+ 16))
        poison += x0 * 0 + x1 * 0
        if op == .max {
            (m0, m1) = (m0.replacing(with: x0, where: x0 .> m0), m1.replacing(with: x1, where: x1 .> m1))
        } else {
            (m0, m1) = (m0.replacing(with: x0, where: x0 .< m0), m1.replacing(with: x1, where: x1 .< m1))
        }
        i &+= 32
    }
    var m = m0[0]
    for lane in 0..<16 { m = pick(op, pick(op, m, m0[lane]), m1[lane]) }
    var tail: Float = 0
    while i < n {
        m = pick(op, m, p[i])
        tail += p[i] * 0
        i &+= 1
    }
    return (poison.laneSum() + tail).isNaN || m == 0 ? nil : m
}

/// Reduces a contiguous `[outer, length, inner]` block along its middle axis into `dst` `[outer, inner]`.
///
/// Large reductions run on several threads with the same bits as on one: independent outputs (rows of `outer`,
/// or columns of `inner`) are split between the threads, and a single long sum computes the top of its
/// pairwise tree on several threads, combining the branches in the same order.
struct ReduceKernel: ScalarKernel {
    let op: ReduceOp, src: UnsafeRawPointer, outer: Int, length: Int, inner: Int, dst: UnsafeMutableRawPointer

    func run<T: KernelScalar>(_: T.Type) {
        let (src, dst) = (self.src.typed(T.self), self.dst.typed(T.self))
        if length == 0 {
            dst.initialize(repeating: 0, count: outer * inner)
            return
        }
        if outer == 1 && inner == 1 && op == .sum {
            dst[0] = sumContiguousInParallel(src, length)
            return
        }
        let perOutput = length * Swift.max(inner, 1)
        if outer > 1 {
            let minimum = (Parallelism.minimumElementsPerThread + perOutput - 1) / perOutput
            Parallelism.forEachPiece(of: outer, minimumLength: minimum, multipleOf: 1) { rows in
                for o in rows {
                    reduceColumns(op, src: src + o &* length &* inner, length: length, inner: inner, columns: 0..<inner,
                                  dst: dst + o &* inner)
                }
            }
        } else {
            let minimum = (Parallelism.minimumElementsPerThread + length - 1) / length
            Parallelism.forEachPiece(of: inner, minimumLength: minimum, multipleOf: 16) { columns in
                reduceColumns(op, src: src, length: length, inner: inner, columns: columns, dst: dst)
            }
        }
    }
}

/// Reduces columns `columns` of one contiguous `[length, inner]` block along its rows into `dst[columns]`.
private func reduceColumns<T: KernelScalar>(
    _ op: ReduceOp, src: UnsafePointer<T>, length: Int, inner: Int, columns: Range<Int>,
    dst: UnsafeMutablePointer<T>
) {
    if inner == 1 {
        dst[0] = op == .sum ? sumContiguous(src, length) : extremeContiguous(op, src, length)
        return
    }
    let (out, first) = (dst + columns.lowerBound, src + columns.lowerBound)
    let width = columns.count
    out.update(from: first, count: width)
    for k in 1..<length {
        let row = first + (k &* inner)
        switch op {
        case .sum: for j in 0..<width { out[j] += row[j] }
        case .max: for j in 0..<width { out[j] = pick(.max, out[j], row[j]) }
        case .min: for j in 0..<width { out[j] = pick(.min, out[j], row[j]) }
        }
    }
}

/// ``sumContiguous(_:_:)`` with the top levels of its pairwise tree on several threads: each thread sums whole
/// branches, and the branch sums are combined as the tree would, so the result is the same bits.
private func sumContiguousInParallel<T: KernelScalar>(_ p: UnsafePointer<T>, _ n: Int) -> T {
    let threads = Parallelism.threadCount
    guard threads > 1 && n >= 2 * Parallelism.minimumElementsPerThread else { return sumContiguous(p, n) }
    // Branches at the depth where there are at least as many as threads, while they are well above the
    // 2048-element leaves (branches at one depth differ in size by at most 32, so all of them split).
    var branches = [0..<n]
    while branches.count < threads && branches[0].count > 2 * 2048 {
        branches = branches.flatMap { range -> [Range<Int>] in
            let half = pairwiseHalf(range.count)
            return [range.lowerBound..<range.lowerBound + half, range.lowerBound + half..<range.upperBound]
        }
    }
    var sums = [T](repeating: 0, count: branches.count)
    sums.withUnsafeMutableBufferPointer { sums in
        let parts = Swift.min(threads, branches.count)
        Parallelism.pool().run(parts: parts) { part in
            for b in stride(from: part, to: branches.count, by: parts) {
                sums[b] = sumContiguous(p + branches[b].lowerBound, branches[b].count)
            }
        }
    }
    while sums.count > 1 { sums = stride(from: 0, to: sums.count, by: 2).map { sums[$0] + sums[$0 + 1] } }
    return sums[0]
}

/// The position of the first maximum (or minimum) along the middle axis of `[outer, length, inner]`, written
/// into `dst` `[outer, inner]` as a number. NaN counts as the extreme value, as in PyTorch.
struct ArgReduceKernel: ScalarKernel {
    let largest: Bool, src: UnsafeRawPointer, outer: Int, length: Int, inner: Int, dst: UnsafeMutableRawPointer

    func run<T: KernelScalar>(_: T.Type) {
        let (src, dst) = (self.src.typed(T.self), self.dst.typed(T.self))
        for o in 0..<outer {
            for j in 0..<inner {
                let base = src + (o &* length &* inner &+ j)
                var best = base[0], bestIndex = 0
                if !best.isNaN {
                    for k in 1..<Swift.max(length, 1) {
                        let v = base[k &* inner]
                        if v.isNaN {
                            bestIndex = k
                            break
                        }
                        let better = largest ? (v > best) : (v < best)
                        if better {
                            best = v
                            bestIndex = k
                        }
                    }
                }
                dst[o &* inner &+ j] = T(bestIndex)
            }
        }
    }
}

/// Softmax (or log-softmax) of a contiguous `[outer, length, inner]` block along its middle axis into `dst`, one
/// pass per row instead of six whole-tensor ops, with the same arithmetic as the composite formula
/// (x − max, e^(x − max), the sums as ``reduceKernel(_:src:outer:length:inner:dst:)`` adds them, then a division,
/// or a subtraction of the log), so the results are the same bits. Rows of `outer` are split between threads.
struct SoftmaxKernel: ScalarKernel {
    let log: Bool, src: UnsafeRawPointer, outer: Int, length: Int, inner: Int, dst: UnsafeMutableRawPointer

    func run<T: KernelScalar>(_: T.Type) {
        let (src, dst) = (self.src.typed(T.self), self.dst.typed(T.self))
        guard length > 0 && inner > 0 else { return }
        let perRow = length * inner
        let minimum = (Parallelism.minimumElementsPerThread + perRow - 1) / perRow
        Parallelism.forEachPiece(of: outer, minimumLength: minimum, multipleOf: 1) { rows in
            withUnsafeTemporaryAllocation(of: T.self, capacity: 2 * inner) { scratch in
                let (maxima, sums) = (scratch.baseAddress!, scratch.baseAddress! + inner)
                for o in rows {
                    softmaxRow(log: log, x: src + o &* perRow, length: length, inner: inner, y: dst + o &* perRow,
                               maxima: maxima, sums: sums)
                }
            }
        }
    }
}

/// One `[length, inner]` block of ``softmaxKernel(log:src:outer:length:inner:dst:)``; `maxima` and `sums` hold
/// `inner` elements of scratch. The loops over a contiguous row (inner = 1) are separate so that they vectorise.
@inline(__always)
private func softmaxRow<T: KernelScalar>(
    log: Bool, x: UnsafePointer<T>, length: Int, inner: Int, y: UnsafeMutablePointer<T>,
    maxima: UnsafeMutablePointer<T>, sums: UnsafeMutablePointer<T>
) {
    reduceColumns(.max, src: x, length: length, inner: inner, columns: 0..<inner, dst: maxima)
    if inner == 1 {
        let m = maxima[0]
        unaryRow(ShiftedExp(shift: Double(m)), length, y, 1, x, 1)
        let s = sumContiguous(y, length)
        if log {
            let logSum = T.log(s)
            for k in 0..<length { y[k] = (x[k] - m) - logSum }
        } else {
            for k in 0..<length { y[k] = y[k] / s }
        }
        return
    }
    for k in 0..<length {
        let (row, out) = (x + k &* inner, y + k &* inner)
        for j in 0..<inner { out[j] = T.exp(row[j] - maxima[j]) }
    }
    reduceColumns(.sum, src: y, length: length, inner: inner, columns: 0..<inner, dst: sums)
    if log { for j in 0..<inner { sums[j] = T.log(sums[j]) } }
    for k in 0..<length {
        let (row, out) = (x + k &* inner, y + k &* inner)
        if log {
            for j in 0..<inner { out[j] = (row[j] - maxima[j]) - sums[j] }
        } else {
            for j in 0..<inner { out[j] = out[j] / sums[j] }
        }
    }
}
