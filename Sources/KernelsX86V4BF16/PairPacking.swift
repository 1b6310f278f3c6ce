// x86-64-v4 with AVX512-BF16: packing operands into pairs of bfloat16 along the depth. Not built elsewhere.
import KernelSupport
#if arch(x86_64)

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
    @inline(__always) static func words(_ p: UnsafeRawPointer) -> SIMD16<UInt32> {
        let bits = bfloat16Bits(p.loadUnaligned(as: SIMD32<UInt32>.self))
        return bits.evenHalf | bits.oddHalf &<< 16
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

    /// Calls `store(p, word)` with the pair words of `pairs` depth pairs from pair `pair`, their elements
    /// contiguous from `first`: 16 words at a time while 32 elements lie within the depth `k`.
    @inline(__always)
    static func forEachWord(along first: UnsafeRawPointer, pair: Int, pairs: Int, k: Int, _ store: (Int, UInt32) -> Void) {
        let start = 2 * pair
        var p = 0
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

    static func packA(_ a: BFloat16MatrixView, row: Int, pair: Int, rows: Int, pairs: Int, k: Int,
                      into out: UnsafeMutableRawPointer) {
        let (rs, cs, size, mr) = (a.rowStride, a.colStride, S.size, PairProducts.mr)
        let start = 2 * pair
        if cs == 1 {
            for i in 0..<rows {
                forEachWord(along: a.base + ((row + i) * rs + start) * size, pair: pair, pairs: pairs, k: k) { p, w in
                    out.storeBytes(of: w, toByteOffset: (p * mr + i) * 4, as: UInt32.self)
                }
            }
        } else if rs == 1 {
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
            for j in 0..<valid {
                forEachWord(along: b.base + ((column + j) * cs + start) * size, pair: pair, pairs: pairs, k: k) { p, w in
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
