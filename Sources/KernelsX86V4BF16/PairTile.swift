// x86-64-v4 with AVX512-BF16 (-mavx512bf16, Package.swift): the register tiles of the bfloat16 products and the
// probe of the instruction's peak. Not built on other architectures.
import KernelSupport
#if arch(x86_64)
import BFloat16Intrinsics

/// A register tile of `R` rows by `C` vectors of 16 float32 accumulators: for each pair of depth steps, `C`
/// vectors of B's packed pairs and one broadcast pair of each row of A go through `VDPBF16PS`. A's panel holds
/// `PairProducts.mr` pairs per depth pair (rows past `R` are not read); B's strip `C` vectors per depth pair.
/// Columns past `cols` are computed from whatever the strip holds there and not stored.
enum PairTile<let R: Int, let C: Int> {
    @inline(never)
    static func multiply(pairs: Int, a: UnsafeRawPointer, b: UnsafeRawPointer, c: UnsafeMutablePointer<Float>,
                         ldc: Int, cols: Int, accumulate: Bool) {
        var acc = InlineArray<R, InlineArray<C, SIMD16<Float>>>(repeating: InlineArray(repeating: SIMD16()))
        var aStep = a, bStep = b
        var p = 0
        // A `while` loop, as in the float32 tile: the accumulators stay in registers.
        while p < pairs {
            var bv = InlineArray<C, SIMD16<UInt32>>(repeating: SIMD16())
            for j in 0..<C { bv[j] = bStep.loadUnaligned(fromByteOffset: j &* 64, as: SIMD16<UInt32>.self) }
            for i in 0..<R {
                let av = SIMD16<UInt32>(repeating: aStep.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self))
                for j in 0..<C { acc[i][j] = swiftgrad_dot_bf16_pairs(acc[i][j], av, bv[j]) }
            }
            aStep += PairProducts.mr &* 4
            bStep += C &* 64
            p &+= 1
        }
        for i in 0..<R {
            let row = c + i &* ldc
            for j in 0..<C {
                let first = j &* 16
                if first &+ 16 <= cols {
                    let raw = UnsafeMutableRawPointer(row + first)
                    let sum = accumulate ? acc[i][j] + raw.loadUnaligned(as: SIMD16<Float>.self) : acc[i][j]
                    raw.storeBytes(of: sum, as: SIMD16<Float>.self)
                } else if first < cols {
                    for lane in 0..<(cols &- first) {
                        row[first &+ lane] = accumulate ? row[first &+ lane] + acc[i][j][lane] : acc[i][j][lane]
                    }
                }
            }
        }
    }
}

/// 24 independent accumulators, each updated by `VDPBF16PS` with constant pairs on every step: the most the
/// instruction does per second (64 flops per instruction: 16 lanes, two multiplies and two adds each).
enum PairPeakProbe {
    static func gflops(threads: Int, steps: Int) -> Double {
        bestProbeGFLOPS(threads: threads, steps: steps, flopsPerStep: 24 * 64) { run(steps: $0, seed: $1) }
    }

    @inline(never)
    static func run(steps: Int, seed: Float) -> Float {
        var acc = InlineArray<24, SIMD16<Float>>(repeating: SIMD16(repeating: seed))
        // Pairs of 2⁻¹⁰: each step adds 2⁻¹⁹ to every lane, so a million steps stay near 2.
        let pair = SIMD16<UInt32>(repeating: 0x3A80_3A80)
        var step = 0
        while step < steps {
            for j in 0..<24 { acc[j] = swiftgrad_dot_bf16_pairs(acc[j], pair, pair) }
            step &+= 1
        }
        var total = SIMD16<Float>()
        for j in 0..<24 { total += acc[j] }
        return laneSum(total)
    }
}
#endif
