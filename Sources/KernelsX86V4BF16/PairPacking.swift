// x86-64-v4 with AVX512-BF16: packing operands into pairs of bfloat16 along the depth. Not built elsewhere.
import KernelSupport
#if arch(x86_64)
import BFloat16Intrinsics

/// How packing reads one stored element type as bfloat16 bits (in the low 16 of 32).
protocol PairSource {
    /// Bytes per stored element.
    static var size: Int { get }
    static func bits(_ p: UnsafeRawPointer) -> UInt32
    static func bits8(_ p: UnsafeRawPointer) -> SIMD8<UInt32>
    static func bits16(_ p: UnsafeRawPointer) -> SIMD16<UInt32>
    /// 16 pair words of 32 consecutive elements.
    static func words(_ p: UnsafeRawPointer) -> SIMD16<UInt32>
}

/// float32 elements, rounded to nearest even.
enum RoundedFloat32: PairSource {
    static var size: Int { 4 }
    @inline(__always) static func bits(_ p: UnsafeRawPointer) -> UInt32 { bfloat16Bits(p.loadUnaligned(as: UInt32.self)) }
    @inline(__always) static func bits8(_ p: UnsafeRawPointer) -> SIMD8<UInt32> {
        bfloat16Bits(p.loadUnaligned(as: SIMD8<UInt32>.self))
    }
    @inline(__always) static func bits16(_ p: UnsafeRawPointer) -> SIMD16<UInt32> {
        bfloat16Bits(p.loadUnaligned(as: SIMD16<UInt32>.self))
    }
    /// Each pair of floats rounded in its 32-bit lanes, then read as one 64-bit lane and its two halves' bfloat16
    /// bits moved next to each other, the lane narrowed one by one (one `vpmovqd`). (Through SIMD32's
    /// `evenHalf`/`oddHalf` LLVM moved lanes one at a time through the stack: packing took 90 % of a training step.)
    @inline(__always) static func words(_ p: UnsafeRawPointer) -> SIMD16<UInt32> {
        let low = bfloat16Bits(p.loadUnaligned(as: SIMD16<UInt32>.self))
        let high = bfloat16Bits(p.loadUnaligned(fromByteOffset: 64, as: SIMD16<UInt32>.self))
        let pairs = (unsafeBitCast(low, to: SIMD8<UInt64>.self), unsafeBitCast(high, to: SIMD8<UInt64>.self))
        let joined = (pairs.0 & 0xFFFF | (pairs.0 &>> 16) & 0xFFFF_0000, pairs.1 & 0xFFFF | (pairs.1 &>> 16) & 0xFFFF_0000)
        var result = SIMD16<UInt32>()
        for lane in 0..<8 {
            result[lane] = UInt32(truncatingIfNeeded: joined.0[lane])
            result[lane &+ 8] = UInt32(truncatingIfNeeded: joined.1[lane])
        }
        return result
    }
}

/// bfloat16 elements, as they are. (Widened lane by lane, which LLVM turns into one zero-extending move:
/// `SIMD16(truncatingIfNeeded:)` stayed a call to a generic specialisation, a weak symbol that other levels'
/// code could have bound to this level's copy.)
enum StoredBFloat16: PairSource {
    static var size: Int { 2 }
    @inline(__always) static func bits(_ p: UnsafeRawPointer) -> UInt32 { UInt32(p.loadUnaligned(as: UInt16.self)) }
    @inline(__always) static func bits8(_ p: UnsafeRawPointer) -> SIMD8<UInt32> { widened(p, SIMD8<UInt32>.self) }
    @inline(__always) static func bits16(_ p: UnsafeRawPointer) -> SIMD16<UInt32> { widened(p, SIMD16<UInt32>.self) }
    /// Consecutive bfloat16 are pair words already.
    @inline(__always) static func words(_ p: UnsafeRawPointer) -> SIMD16<UInt32> { p.loadUnaligned(as: SIMD16<UInt32>.self) }

    @inline(__always)
    static func widened<V: SIMD>(_ p: UnsafeRawPointer, _: V.Type) -> V where V.Scalar == UInt32 {
        var result = V()
        for lane in 0..<V.scalarCount { result[lane] = UInt32(p.load(fromByteOffset: 2 &* lane, as: UInt16.self)) }
        return result
    }
}

/// The packing of `PairProducts`, for operands stored as `S`. Each layout has its path: the depth contiguous
/// (A's rows, the rows of a weight W read as B = Wᵀ) reads 32 elements into 16 pair words at once; B's rows
/// contiguous read 16 columns of two depth steps at once; A stored transposed reads a panel's rows at one depth
/// step at once. Any other strides go element by element. Reads never pass the depth `k`; they may pass the
/// last valid column or row by less than a vector (storage keeps slack), whose lanes are not stored.
enum PairPacking<S: PairSource> {
    /// The pair word of the element at `first` and the one `distance` elements after it, or zero in the high
    /// half when the depth has no second element.
    @inline(__always)
    static func word(_ first: UnsafeRawPointer, distance: Int, hasSecond: Bool) -> UInt32 {
        let low = S.bits(first)
        return hasSecond ? low | S.bits(first + distance &* S.size) << 16 : low
    }

    /// Calls `store(p, word)` with the pair words of depth pairs `from..<pairs` counted from pair `pair`, their
    /// elements contiguous from `first`: 16 words at a time while 32 elements lie within the depth `k`.
    @inline(__always)
    static func forEachWord(along first: UnsafeRawPointer, pair: Int, pairs: Int, k: Int, from: Int = 0,
                            _ store: (Int, UInt32) -> Void) {
        let start = 2 * pair
        var p = from
        while p + 16 <= pairs && start + 2 * p + 32 <= k {
            let w = S.words(first + 2 * p * S.size)
            for l in 0..<16 { store(p + l, w[l]) }
            p += 16
        }
        while p < pairs {
            store(p, word(first + 2 * p * S.size, distance: 1, hasSecond: start + 2 * p + 1 < k))
            p += 1
        }
    }

    /// For each whole chunk of 16 pairs (from pair 0 of the block, within the depth `k`) of `count` ≤ 16 runs of
    /// contiguous depth, run r from `first(r)`: the runs' words transposed, `store(p, q, vector)` with the vector of
    /// pair p + q (lane r: run r's word; lanes past `count` zero). Returns the pairs done, a multiple of 16.
    @inline(__always)
    static func forEachTransposedChunk(runs count: Int, first: (Int) -> UnsafeRawPointer, pair: Int, pairs: Int, k: Int,
                                       _ store: (Int, Int, SIMD16<UInt32>) -> Void) -> Int {
        let whole = Swift.min(pairs / 16, Swift.max(0, k - 2 * pair) / 32) * 16
        guard whole > 0 else { return 0 }
        withUnsafeTemporaryAllocation(of: SIMD16<UInt32>.self, capacity: 32) { block in
            let (rows, columns) = (block.baseAddress!, block.baseAddress! + 16)
            block.initialize(repeating: SIMD16())
            for p in stride(from: 0, to: whole, by: 16) {
                for r in 0..<count { rows[r] = S.words(first(r) + 2 * p * S.size) }
                swiftgrad_transpose_16x16(UnsafeRawPointer(rows).assumingMemoryBound(to: UInt32.self),
                                          UnsafeMutableRawPointer(columns).assumingMemoryBound(to: UInt32.self))
                for q in 0..<16 { store(p, q, columns[q]) }
            }
        }
        return whole
    }

    static func packA(_ a: BFloat16MatrixView, row: Int, pair: Int, rows: Int, pairs: Int, k: Int,
                      into out: UnsafeMutableRawPointer, wordStride mr: Int) {
        let (rs, cs, size) = (a.rowStride, a.colStride, S.size)
        let start = 2 * pair
        if cs == 1 {
            // A panel's rows 16 pairs at a time, transposed: each pair's words for the panel in one 8-word store,
            // whose last two words the next pair's store (or the tail's words) overwrite; past the panel's last
            // pair they land in the buffer's slack.
            let done = mr != PairProducts.mr ? 0
                : forEachTransposedChunk(runs: rows, first: { a.base + ((row + $0) * rs + start) * size }, pair: pair,
                                         pairs: pairs, k: k) { p, q, vector in
                    out.storeBytes(of: vector.lowHalf, toByteOffset: (p + q) * mr * 4, as: SIMD8<UInt32>.self)
                }
            for i in 0..<rows {
                forEachWord(along: a.base + ((row + i) * rs + start) * size, pair: pair, pairs: pairs, k: k,
                            from: done) { p, w in
                    out.storeBytes(of: w, toByteOffset: (p * mr + i) * 4, as: UInt32.self)
                }
            }
        } else if rs == 1 && mr == PairProducts.mr {
            // Eight words per depth pair, of which the next pair's store overwrites the last two (the buffer
            // keeps slack past the last).
            for p in 0..<pairs {
                let depth = start + 2 * p
                let first = a.base + (row + depth * cs) * size
                let high = depth + 1 < k ? S.bits8(first + cs * size) : SIMD8()
                out.storeBytes(of: S.bits8(first) | high &<< 16, toByteOffset: p * mr * 4, as: SIMD8<UInt32>.self)
            }
        } else {
            for i in 0..<rows {
                for p in 0..<pairs {
                    let depth = start + 2 * p
                    let w = word(a.base + ((row + i) * rs + depth * cs) * size, distance: cs, hasSecond: depth + 1 < k)
                    out.storeBytes(of: w, toByteOffset: (p * mr + i) * 4, as: UInt32.self)
                }
            }
        }
    }

    static func packB(_ b: BFloat16MatrixView, pair: Int, column: Int, pairs: Int, k: Int, width: Int, valid: Int,
                      into out: UnsafeMutableRawPointer) {
        let (rs, cs, size) = (b.rowStride, b.colStride, S.size)
        let start = 2 * pair
        if cs == 1 {
            for p in 0..<pairs {
                let depth = start + 2 * p
                let first = b.base + (depth * rs + column) * size
                for v in stride(from: 0, to: valid, by: 16) {
                    let high = depth + 1 < k ? S.bits16(first + (rs + v) * size) : SIMD16()
                    out.storeBytes(of: S.bits16(first + v * size) | high &<< 16, toByteOffset: (p * width + v) * 4,
                                   as: SIMD16<UInt32>.self)
                }
            }
        } else if rs == 1 {
            // Sixteen columns at a time: 16 pairs of each, a vector per column, transposed into a vector of the 16
            // columns per pair (one store each, where storing each column's words went word by word to 16 lines).
            let blocked = valid / 16 * 16
            var wholePairs = 0
            for j in stride(from: 0, to: blocked, by: 16) {
                wholePairs = forEachTransposedChunk(runs: 16, first: { b.base + ((column + j + $0) * cs + start) * size },
                                                    pair: pair, pairs: pairs, k: k) { p, q, vector in
                    out.storeBytes(of: vector, toByteOffset: ((p + q) * width + j) * 4, as: SIMD16<UInt32>.self)
                }
            }
            for j in 0..<valid {
                let from = j < blocked ? wholePairs : 0
                forEachWord(along: b.base + ((column + j) * cs + start) * size, pair: pair, pairs: pairs, k: k,
                            from: from) { p, w in
                    out.storeBytes(of: w, toByteOffset: (p * width + j) * 4, as: UInt32.self)
                }
            }
        } else {
            for p in 0..<pairs {
                let depth = start + 2 * p
                for j in 0..<valid {
                    let w = word(b.base + (depth * rs + (column + j) * cs) * size, distance: rs, hasSecond: depth + 1 < k)
                    out.storeBytes(of: w, toByteOffset: (p * width + j) * 4, as: UInt32.self)
                }
            }
        }
    }
}
#endif
