// x86-64-v4 with AVX512-BF16: the bfloat16 products (Goto/BLIS loops around `PairTile`) and the packing that
// rounds float32 operands to bfloat16 pairs. Not built on other architectures.
import KernelSupport
#if arch(x86_64)

/// The bfloat16 products of CPUs with AVX512-BF16: both operands are packed as pairs of bfloat16 along the
/// depth (a 32-bit word holds the elements of two consecutive depth steps, the first in the low half, what
/// `VDPBF16PS` multiplies), float32 operands rounded to nearest even as they are packed; the tiles accumulate in
/// float32. An odd depth's last pair holds a zero in its high half.
package enum PairProducts: BFloat16Products {
    /// Rows of a register tile, and of a packed panel of A.
    static let mr = 6
    /// Columns of a full register tile: 4 vectors of 16 (6 × 4 accumulators take 24 of the 32 registers).
    static let nr = 64
    /// Depth pairs per block of B, and the depths (in pairs) that run as one block: a 6-row panel of A is then
    /// at most 9 KB (L1), and a block of B `nc` wide at most 1.2 MB, as the float32 GEMM's `wholeDepth`.
    static let blockPairs = 256
    static let wholePairs = 384
    static let nc = 768
    /// Products of fewer flops stay on the calling thread, as in the float32 GEMM, unless B has `parallelBElements`
    /// or more (a few rows against a weight: reading B is the cost, and two cores read it at once).
    static let parallelFlops = 2 * 96 * 96 * 96
    static let parallelBElements = 1 << 16
    /// Products of at most this many rows against a B whose depth is contiguous run as dot products (`PairDotTile`).
    static let dotRows = 4

    package static func gemm(m: Int, n: Int, k: Int, a: BFloat16MatrixView, b: BFloat16MatrixView,
                             c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, threads: Int) {
        guard m > 0 && n > 0 else { return }
        guard k > 0 else {
            if !accumulate { for i in 0..<m { (c + i * ldc).initialize(repeating: 0, count: n) } }
            return
        }
        // Each thread takes whole panels of A's rows (or strips of B's columns, when there are more columns than
        // rows) and runs the single-thread loops on them, packing its own blocks.
        let alongRows = m >= n
        let (extent, unit) = alongRows ? (m, mr) : (n, nr)
        let units = (extent + unit - 1) / unit
        let flopParts = k * n >= parallelBElements ? threads : 2 * m * n * k / parallelFlops
        let parts = Swift.max(1, Swift.min(threads, Parallelism.pool().threadCount, units, flopParts))
        guard parts > 1 else {
            single(m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate)
            return
        }
        let share = (units + parts - 1) / parts * unit
        Parallelism.pool().run(parts: parts) { part in
            let start = part * share, count = Swift.min(share, extent - start)
            guard count > 0 else { return }
            if alongRows {
                single(m: count, n: n, k: k, a: a.from(row: start, column: 0), b: b, c: c + start * ldc, ldc: ldc,
                       accumulate: accumulate)
            } else {
                single(m: m, n: count, k: k, a: a, b: b.from(row: 0, column: start), c: c + start, ldc: ldc,
                       accumulate: accumulate)
            }
        }
    }

    package static func peakGFLOPS(threads: Int, steps: Int) -> Double {
        PairPeakProbe.gflops(threads: threads, steps: steps)
    }

    /// The loops on one thread: blocks of B's columns, then of depth pairs; in each, B's block packed once and
    /// each panel of A packed and multiplied against every strip of it.
    static func single(m: Int, n: Int, k: Int, a: BFloat16MatrixView, b: BFloat16MatrixView,
                       c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        if m <= dotRows && b.rowStride == 1 {
            dotProducts(m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate)
            return
        }
        let pairs = (k + 1) / 2
        let depthBlocks = pairs <= wholePairs ? 1 : (pairs + blockPairs - 1) / blockPairs
        let depthStep = (pairs + depthBlocks - 1) / depthBlocks
        // A product at most 48 columns wide takes strips (and tiles) of as many vectors as it needs.
        let strip = n <= 48 ? (n + 15) / 16 * 16 : nr
        let widthStep = Swift.min(nc, (n + strip - 1) / strip * strip)
        PackingBuffers.withBuffers { buffers in
            buffers.reserve(a: mr * depthStep, b: depthStep * widthStep)
            let packedA = UnsafeMutableRawPointer(buffers.a), packedB = UnsafeMutableRawPointer(buffers.b)
            for jc in stride(from: 0, to: n, by: widthStep) {
                let width = Swift.min(widthStep, n - jc)
                for pc in stride(from: 0, to: pairs, by: depthStep) {
                    let blockPairs = Swift.min(depthStep, pairs - pc)
                    for s in stride(from: 0, to: width, by: strip) {
                        packB(b, pair: pc, column: jc + s, pairs: blockPairs, k: k, width: strip,
                              valid: Swift.min(strip, width - s), into: packedB + s * blockPairs * 4)
                    }
                    for ir in stride(from: 0, to: m, by: mr) {
                        let rows = Swift.min(mr, m - ir)
                        packA(a, row: ir, pair: pc, rows: rows, pairs: blockPairs, k: k, into: packedA)
                        for jr in stride(from: 0, to: width, by: strip) {
                            multiplyTile(rows: rows, vectors: strip / 16, pairs: blockPairs, a: packedA,
                                         b: packedB + jr * blockPairs * 4, c: c + ir * ldc + jc + jr, ldc: ldc,
                                         cols: Swift.min(strip, width - jr), accumulate: accumulate || pc > 0)
                        }
                    }
                }
            }
        }
    }

    /// Few rows of A against B read in place along its depth, four columns at a time: A's rows packed once as pair
    /// words (zero past the depth, to whole vectors), B's columns never packed; what token-by-token generation and
    /// single sentences run, where reading the weight once is the whole cost.
    static func dotProducts(m: Int, n: Int, k: Int, a: BFloat16MatrixView, b: BFloat16MatrixView,
                            c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        let rowWords = (k + 31) / 32 * 16
        PackingBuffers.withBuffers { buffers in
            buffers.reserve(a: m * rowWords, b: 0)
            let words = UnsafeMutableRawPointer(buffers.a)
            for i in 0..<m {
                let row = words + i * rowWords * 4
                row.initializeMemory(as: UInt32.self, repeating: 0, count: rowWords)
                packA(a, row: i, pair: 0, rows: 1, pairs: (k + 1) / 2, k: k, into: row, wordStride: 1)
            }
            for j in stride(from: 0, to: n, by: 4) {
                let cols = Swift.min(4, n - j)
                switch b.elements {
                case .float32: dotTile(m, RoundedFloat32.self, words, rowWords, b.from(row: 0, column: j), cols, k, c + j, ldc, accumulate)
                case .bfloat16: dotTile(m, StoredBFloat16.self, words, rowWords, b.from(row: 0, column: j), cols, k, c + j, ldc, accumulate)
                }
            }
        }
    }

    @inline(__always)
    static func dotTile<S: PairSource>(_ rows: Int, _: S.Type, _ words: UnsafeRawPointer, _ rowWords: Int,
                                       _ b: BFloat16MatrixView, _ cols: Int, _ k: Int, _ c: UnsafeMutablePointer<Float>,
                                       _ ldc: Int, _ accumulate: Bool) {
        switch rows {
        case 1: PairDotTile<1, S>.multiply(a: words, aRow: rowWords, b: b.base, bColumn: b.colStride, cols: cols, k: k, c: c, ldc: ldc, accumulate: accumulate)
        case 2: PairDotTile<2, S>.multiply(a: words, aRow: rowWords, b: b.base, bColumn: b.colStride, cols: cols, k: k, c: c, ldc: ldc, accumulate: accumulate)
        case 3: PairDotTile<3, S>.multiply(a: words, aRow: rowWords, b: b.base, bColumn: b.colStride, cols: cols, k: k, c: c, ldc: ldc, accumulate: accumulate)
        default: PairDotTile<4, S>.multiply(a: words, aRow: rowWords, b: b.base, bColumn: b.colStride, cols: cols, k: k, c: c, ldc: ldc, accumulate: accumulate)
        }
    }

    /// The register tile of exactly `rows` rows and `vectors` vectors.
    static func multiplyTile(rows: Int, vectors: Int, pairs: Int, a: UnsafeRawPointer, b: UnsafeRawPointer,
                             c: UnsafeMutablePointer<Float>, ldc: Int, cols: Int, accumulate: Bool) {
        switch vectors {
        case 1: multiplyRows(rows, Vectors<1>.self, pairs, a, b, c, ldc, cols, accumulate)
        case 2: multiplyRows(rows, Vectors<2>.self, pairs, a, b, c, ldc, cols, accumulate)
        case 3: multiplyRows(rows, Vectors<3>.self, pairs, a, b, c, ldc, cols, accumulate)
        default: multiplyRows(rows, Vectors<4>.self, pairs, a, b, c, ldc, cols, accumulate)
        }
    }

    @inline(__always)
    static func multiplyRows<let C: Int>(_ rows: Int, _: Vectors<C>.Type, _ pairs: Int, _ a: UnsafeRawPointer,
                                         _ b: UnsafeRawPointer, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
                                         _ cols: Int, _ accumulate: Bool) {
        switch rows {
        case 1: PairTile<1, C>.multiply(pairs: pairs, a: a, b: b, c: c, ldc: ldc, cols: cols, accumulate: accumulate)
        case 2: PairTile<2, C>.multiply(pairs: pairs, a: a, b: b, c: c, ldc: ldc, cols: cols, accumulate: accumulate)
        case 3: PairTile<3, C>.multiply(pairs: pairs, a: a, b: b, c: c, ldc: ldc, cols: cols, accumulate: accumulate)
        case 4: PairTile<4, C>.multiply(pairs: pairs, a: a, b: b, c: c, ldc: ldc, cols: cols, accumulate: accumulate)
        case 5: PairTile<5, C>.multiply(pairs: pairs, a: a, b: b, c: c, ldc: ldc, cols: cols, accumulate: accumulate)
        default: PairTile<6, C>.multiply(pairs: pairs, a: a, b: b, c: c, ldc: ldc, cols: cols, accumulate: accumulate)
        }
    }

    /// Packs `pairs` depth pairs from pair `pair` of `rows` rows of A from `row`: word (p, i) at
    /// `out[p·wordStride + i]` (`wordStride` `mr` for the tiles' panels, 1 for one row's words in a row).
    static func packA(_ a: BFloat16MatrixView, row: Int, pair: Int, rows: Int, pairs: Int, k: Int,
                      into out: UnsafeMutableRawPointer, wordStride: Int = mr) {
        switch a.elements {
        case .float32:
            PairPacking<RoundedFloat32>.packA(a, row: row, pair: pair, rows: rows, pairs: pairs, k: k, into: out, wordStride: wordStride)
        case .bfloat16:
            PairPacking<StoredBFloat16>.packA(a, row: row, pair: pair, rows: rows, pairs: pairs, k: k, into: out, wordStride: wordStride)
        }
    }

    /// Packs a strip of B `width` columns wide (`valid` of them inside B) from `column`, `pairs` depth pairs from
    /// pair `pair`: word (p, j) at `out[p·width + j]`.
    static func packB(_ b: BFloat16MatrixView, pair: Int, column: Int, pairs: Int, k: Int, width: Int, valid: Int,
                      into out: UnsafeMutableRawPointer) {
        switch b.elements {
        case .float32:
            PairPacking<RoundedFloat32>.packB(b, pair: pair, column: column, pairs: pairs, k: k, width: width, valid: valid, into: out)
        case .bfloat16:
            PairPacking<StoredBFloat16>.packB(b, pair: pair, column: column, pairs: pairs, k: k, width: width, valid: valid, into: out)
        }
    }
}

/// A register tile's width in vectors, as a type.
enum Vectors<let C: Int> {}
#endif
