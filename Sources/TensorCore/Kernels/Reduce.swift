/// A reduction along one axis.
enum ReduceOp {
    case sum, max, min
}

/// The sum of `n` contiguous elements: blocks of up to 2048 summed in four SIMD accumulators (vectorised; the
/// compiler may not reorder a scalar float sum), blocks combined pairwise, so the rounding error grows with
/// log n rather than n, as in NumPy's pairwise sum.
func sumContiguous<T: TensorScalar>(_ p: UnsafePointer<T>, _ n: Int) -> T {
    if n <= 2048 { return sumBlock(p, n) }
    let half = (n / 2 + 31) & ~31
    return sumContiguous(p, half) + sumContiguous(p + half, n - half)
}

@inline(__always)
private func sumBlock<T: TensorScalar>(_ p: UnsafePointer<T>, _ n: Int) -> T {
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
    var total = ((a0 + a1) + (a2 + a3)).sum()
    while i < n {
        total += p[i]
        i &+= 1
    }
    return total
}

/// `a` or `b`, whichever `op` keeps; NaN always wins, wherever it is.
@inline(__always)
private func pick<T: TensorScalar>(_ op: ReduceOp, _ a: T, _ b: T) -> T {
    switch op {
    case .sum: return a + b
    case .max: return b > a || b.isNaN ? b : a
    case .min: return b < a || b.isNaN ? b : a
    }
}

/// Reduces a contiguous `[outer, length, inner]` block along its middle axis into `dst` `[outer, inner]`.
func reduceKernel<T: TensorScalar>(
    _ op: ReduceOp, src: UnsafePointer<T>, outer: Int, length: Int, inner: Int, dst: UnsafeMutablePointer<T>
) {
    if length == 0 {
        dst.initialize(repeating: 0, count: outer * inner)
        return
    }
    for o in 0..<outer {
        let block = src + (o &* length &* inner)
        let out = dst + (o &* inner)
        if inner == 1 {
            if op == .sum {
                out[0] = sumContiguous(block, length)
            } else {
                var m = block[0]
                for k in 1..<length { m = pick(op, m, block[k]) }
                out[0] = m
            }
            continue
        }
        out.update(from: block, count: inner)
        for k in 1..<length {
            let row = block + (k &* inner)
            switch op {
            case .sum: for j in 0..<inner { out[j] += row[j] }
            case .max: for j in 0..<inner { out[j] = pick(.max, out[j], row[j]) }
            case .min: for j in 0..<inner { out[j] = pick(.min, out[j], row[j]) }
            }
        }
    }
}

/// The position of the first maximum (or minimum) along the middle axis of `[outer, length, inner]`, written
/// into `dst` `[outer, inner]` as a number. NaN counts as the extreme value, as in PyTorch.
func argReduceKernel<T: TensorScalar>(
    largest: Bool, src: UnsafePointer<T>, outer: Int, length: Int, inner: Int, dst: UnsafeMutablePointer<T>
) {
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
