// x86-64-v4 with AVX512-BF16: products of few rows against a B whose depth is contiguous (a weight's rows, B = Wᵀ),
// as dot products of pair words, without packing B. Not built on other architectures.
import KernelSupport
#if arch(x86_64)
import BFloat16Intrinsics

/// `R` rows of A (as pair words, 16 pairs a vector) against up to four columns of B read in place along their
/// depth (elements stored as `S`): 4·`R` vectors of float32 sums, each summed across its lanes at the end. A's words
/// past the depth are zero; B's last partial vector of pairs is built word by word (what lies past a column's end
/// may be anything, NaN included, and NaN·0 is NaN).
enum PairDotTile<let R: Int, S: PairSource> {
    @inline(never)
    static func multiply(a: UnsafeRawPointer, aRow: Int, b: UnsafeRawPointer, bColumn: Int, cols: Int, k: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        let pairs = (k + 1) / 2, whole = k / 32
        var acc = InlineArray<R, InlineArray<4, SIMD16<Float>>>(repeating: InlineArray(repeating: SIMD16()))
        var column = InlineArray<4, UnsafeRawPointer>(repeating: b)
        for j in 0..<4 { column[j] = b + Swift.min(j, cols &- 1) &* bColumn &* S.size }
        var chunk = 0
        while chunk < whole {
            var w = InlineArray<4, SIMD16<UInt32>>(repeating: SIMD16())
            for j in 0..<4 { w[j] = S.words(column[j] + chunk &* 32 &* S.size) }
            for i in 0..<R {
                let av = a.loadUnaligned(fromByteOffset: i &* aRow &* 4 &+ chunk &* 64, as: SIMD16<UInt32>.self)
                for j in 0..<4 { acc[i][j] = swiftgrad_dot_bf16_pairs(acc[i][j], av, w[j]) }
            }
            chunk &+= 1
        }
        if whole * 16 < pairs {
            var w = InlineArray<4, SIMD16<UInt32>>(repeating: SIMD16())
            for j in 0..<4 {
                for p in (whole * 16)..<pairs {
                    w[j][p - whole * 16] = PairPacking<S>.word(column[j] + 2 * p * S.size, distance: 1, hasSecond: 2 * p + 1 < k)
                }
            }
            for i in 0..<R {
                let av = a.loadUnaligned(fromByteOffset: i &* aRow &* 4 &+ whole &* 64, as: SIMD16<UInt32>.self)
                for j in 0..<4 { acc[i][j] = swiftgrad_dot_bf16_pairs(acc[i][j], av, w[j]) }
            }
        }
        for i in 0..<R {
            for j in 0..<cols {
                let sum = laneSum(acc[i][j])
                c[i &* ldc &+ j] = accumulate ? c[i &* ldc &+ j] + sum : sum
            }
        }
    }
}
/// The sum of `v`'s lanes, by halves. (`SIMD.sum()` stays a call to a generic specialisation: a weak symbol that code
/// of other levels could bind to this level's copy.)
@inline(__always)
func laneSum(_ v: SIMD16<Float>) -> Float {
    let eight = v.lowHalf + v.highHalf, four = eight.lowHalf + eight.highHalf, two = four.lowHalf + four.highHalf
    return two[0] + two[1]
}
#endif
