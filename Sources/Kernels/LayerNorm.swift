import KernelSupport

// Layer norm over the last axis of a contiguous `[rows, width]` input: each row's statistics and its output in one
// visit of the row (which stays in L1 between the mean, the variance and the write), and the backward pass in two
// visits. Rows are split between threads; the weight's and bias's gradients are summed per chunk of
// `layerNormChunk` rows and the chunks added in order, so they have the same bits on any number of threads.

/// Rows per partial sum of the weight's and bias's gradients.
private let layerNormChunk = 32

/// `out = (x − mean)·rstd·weight + bias` per row, with each row's mean and 1/√(variance + ε) written to `mean` and
/// `rstd` `[rows]` (the variance biased, as PyTorch's).
struct LayerNormKernel: ScalarKernel {
    let input: UnsafeRawPointer, rows: Int, width: Int, weight: UnsafeRawPointer?, bias: UnsafeRawPointer?
    let epsilon: Double, out: UnsafeMutableRawPointer, mean: UnsafeMutableRawPointer, rstd: UnsafeMutableRawPointer

    func run<T: KernelScalar>(_: T.Type) {
        let (x, y, w, b) = (input.typed(T.self), out.typed(T.self), weight?.typed(T.self), bias?.typed(T.self))
        let (means, rstds, n) = (mean.typed(T.self), rstd.typed(T.self), width)
        Parallelism.forEachPiece(of: rows, minimumLength: Swift.max(1, 8192 / Swift.max(width, 1)), multipleOf: 1) { range in
            for r in range {
                let (row, o) = (x + r &* n, y + r &* n)
                let mu = laneSum(n) { row[$0] } / T(n)
                let inverse = 1 / T.sqrt(laneSum(n) { (row[$0] - mu) * (row[$0] - mu) } / T(n) + T(epsilon))
                means[r] = mu
                rstds[r] = inverse
                switch (w, b) {
                case let (w?, b?): for i in 0..<n { o[i] = (row[i] - mu) * inverse * w[i] + b[i] }
                case let (w?, nil): for i in 0..<n { o[i] = (row[i] - mu) * inverse * w[i] }
                case let (nil, b?): for i in 0..<n { o[i] = (row[i] - mu) * inverse + b[i] }
                case (nil, nil): for i in 0..<n { o[i] = (row[i] - mu) * inverse }
                }
            }
        }
    }
}

/// Layer norm's backward pass: with x̂ = (x − mean)·rstd and ĝ = g·weight,
/// `inputGradient` = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) per row, `weightGradient` = Σ_rows g·x̂ and
/// `biasGradient` = Σ_rows g (each written when given).
struct LayerNormBackwardKernel: ScalarKernel {
    let input: UnsafeRawPointer, gradient: UnsafeRawPointer, rows: Int, width: Int
    let mean: UnsafeRawPointer, rstd: UnsafeRawPointer, weight: UnsafeRawPointer?
    let inputGradient: UnsafeMutableRawPointer?, weightGradient: UnsafeMutableRawPointer?
    let biasGradient: UnsafeMutableRawPointer?

    func run<T: KernelScalar>(_: T.Type) {
        let (x, g, w, n) = (input.typed(T.self), gradient.typed(T.self), weight?.typed(T.self), width)
        let (means, rstds, dx) = (mean.typed(T.self), rstd.typed(T.self), inputGradient?.typed(T.self))
        let chunks = (rows + layerNormChunk - 1) / layerNormChunk
        let sumsWanted = weightGradient != nil || biasGradient != nil
        // Per chunk: Σ g·x̂ in the first `width` elements, Σ g in the next.
        let partial = UnsafeMutablePointer<T>.allocate(capacity: sumsWanted ? chunks * 2 * n : 1)
        defer { partial.deallocate() }
        Parallelism.forEachPiece(of: chunks, minimumLength: Swift.max(1, 8192 / Swift.max(layerNormChunk * width, 1)),
                                 multipleOf: 1) { range in
            for chunk in range {
                let sums = partial + chunk &* 2 &* n
                if sumsWanted { sums.initialize(repeating: 0, count: 2 &* n) }
                for r in (chunk &* layerNormChunk)..<Swift.min(rows, (chunk &+ 1) &* layerNormChunk) {
                    let (row, gr, mu, inverse) = (x + r &* n, g + r &* n, means[r], rstds[r])
                    if sumsWanted {
                        for i in 0..<n {
                            sums[i] += gr[i] * (row[i] - mu) * inverse
                            sums[n &+ i] += gr[i]
                        }
                    }
                    guard let dx else { continue }
                    let scaled: (Int) -> T = { i in w.map { gr[i] * $0[i] } ?? gr[i] }
                    let meanScaled = laneSum(n, scaled) / T(n)
                    let meanScaledXhat = laneSum(n) { scaled($0) * (row[$0] - mu) * inverse } / T(n)
                    let out = dx + r &* n
                    for i in 0..<n { out[i] = inverse * (scaled(i) - meanScaled - (row[i] - mu) * inverse * meanScaledXhat) }
                }
            }
        }
        guard sumsWanted else { return }
        let (dw, db) = (weightGradient?.typed(T.self), biasGradient?.typed(T.self))
        dw?.initialize(repeating: 0, count: n)
        db?.initialize(repeating: 0, count: n)
        for chunk in 0..<chunks {
            let sums = partial + chunk &* 2 &* n
            if let dw { for i in 0..<n { dw[i] += sums[i] } }
            if let db { for i in 0..<n { db[i] += sums[n &+ i] } }
        }
    }
}

/// Σ term(i) for i < n in eight interleaved partial sums (then added pairwise), so that the loop vectorises (a single
/// running float sum cannot be reordered) and rounding grows with n/8.
@inline(__always)
func laneSum<T: KernelScalar>(_ n: Int, _ term: (Int) -> T) -> T {
    var lanes = (T(0), T(0), T(0), T(0), T(0), T(0), T(0), T(0))
    var i = 0
    while i &+ 8 <= n {
        lanes.0 += term(i); lanes.1 += term(i &+ 1); lanes.2 += term(i &+ 2); lanes.3 += term(i &+ 3)
        lanes.4 += term(i &+ 4); lanes.5 += term(i &+ 5); lanes.6 += term(i &+ 6); lanes.7 += term(i &+ 7)
        i &+= 8
    }
    while i < n {
        lanes.0 += term(i)
        i &+= 1
    }
    return ((lanes.0 + lanes.1) + (lanes.2 + lanes.3)) + ((lanes.4 + lanes.5) + (lanes.6 + lanes.7))
}
