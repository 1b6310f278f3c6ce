import KernelSupport
// e^x, ln x and tanh x in float32 for the elementwise kernels: polynomials written without branches or calls,
// once for any `FloatLanes` (a Float or a SIMD vector of them). libm's `expf`, `logf` and `tanhf` are a call per
// element (`tanhf` measured 25 ns per element here, 60× PyTorch's). The polynomials' steps are fused
// multiply-adds where the build targets FMA (`FloatLanes.fusedMultiplyAdd`): 1M floats, 1 thread, exp 736–766 →
// 499–517 µs, log 686–861 → 457–595, tanh 951–1248 → 727.

/// The bodies of `Float.exp`, `log` and `tanh`, lane by lane (special values are chosen per lane at the end).
enum ElementaryFunctions {
    @inline(__always)
    static func exp<L: FloatLanes>(_ x: L) -> L {
        expInRange(L.lanesMin(L.lanesMax(x, -87.5), 88.75))
            .replacing(with: L(.infinity), where: x.lanesAbove(88.75))
            .replacing(with: L(0), where: x.lanesBelow(-87.5))
            .replacing(with: x, where: x.lanesNaN)
    }

    /// e^x for x in [−87.5, 88.75] (NaN for NaN): `exp` without its special values, which `tanh` does not need.
    @inline(__always)
    static func expInRange<L: FloatLanes>(_ clamped: L) -> L {
        // Round x / ln 2 to an integer n by the 1.5·2^23 trick: n lands in the low mantissa bits of `shifted`.
        let magic: Float = 12_582_912
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        let r = (clamped - n * 0.693_359_375) - n * -2.121_944_40e-4
        var p = L(1.987_569_15e-4)
        p = L.fusedMultiplyAdd(p, r, 1.398_199_95e-3)
        p = L.fusedMultiplyAdd(p, r, 8.333_451_9e-3)
        p = L.fusedMultiplyAdd(p, r, 4.166_579_59e-2)
        p = L.fusedMultiplyAdd(p, r, 1.666_666_55e-1)
        p = L.fusedMultiplyAdd(p, r, 5.000_000_12e-1)
        let er = p * r * r + r + 1
        // 2^n in two halves so that n = 128 (x near 88.7) does not overflow the exponent field.
        let bits = shifted.laneBits &- Int32(bitPattern: magic.bitPattern)
        let half = bits &>> 1
        let scaleA = L(laneBits: (half &+ 127) &<< 23)
        let scaleB = L(laneBits: (bits &- half &+ 127) &<< 23)
        return er * scaleA * scaleB
    }

    @inline(__always)
    static func log<L: FloatLanes>(_ x: L) -> L {
        // Subnormals: scale into the normal range first and take the 2^23 back out of the exponent.
        let subnormal = x.lanesBelow(Float.leastNormalMagnitude)
        let bits = x.replacing(with: x * 8_388_608, where: subnormal).laneBits
        // Cephes splits the mantissa m in [½, 1) at √½ and doubles m (taking 1 off the exponent) below it.
        // Offsetting the bits by 1 − √½ first does both without a select: the carry out of the mantissa lands in
        // the exponent exactly when m ≥ √½ (the same f and e bit for bit, and 4 % faster than selecting).
        let shifted = bits &+ (0x3f80_0000 &- 0x3f35_04f3)
        let biased = ((shifted &>> 23) & 0xff) &- 127
        let e = L(exactly: biased.replacing(with: biased &- 23, where: subnormal))
        let f = L(laneBits: (shifted & 0x007f_ffff) &+ 0x3f35_04f3) - 1
        let z = f * f
        var y = L(7.037_683_629_2e-2)
        y = L.fusedMultiplyAdd(y, f, -1.151_461_031_0e-1)
        y = L.fusedMultiplyAdd(y, f, 1.167_699_874_0e-1)
        y = L.fusedMultiplyAdd(y, f, -1.242_014_084_6e-1)
        y = L.fusedMultiplyAdd(y, f, 1.424_932_278_7e-1)
        y = L.fusedMultiplyAdd(y, f, -1.666_805_766_5e-1)
        y = L.fusedMultiplyAdd(y, f, 2.000_071_476_5e-1)
        y = L.fusedMultiplyAdd(y, f, -2.499_999_399_3e-1)
        y = L.fusedMultiplyAdd(y, f, 3.333_333_117_4e-1)
        // ½f² as (½f)·f, the same bits as ½·f² (halving is exact here): written as `z * 0.5`, LLVM split the
        // 16-lane loop into 8-, 4- and 1-lane pieces (1.4 ms for 1M floats instead of 0.6).
        y = y * f * z + e * -2.121_944_40e-4 - (f * 0.5) * f
        return ((f + y) + e * 0.693_359_375)
            .replacing(with: L(.nan), where: x.lanesBelow(0))
            .replacing(with: L(-.infinity), where: x.lanesEqual(0))
            .replacing(with: x, where: x.lanesEqual(.infinity))
            .replacing(with: x, where: x.lanesNaN)
    }

    @inline(__always)
    static func tanh<L: FloatLanes>(_ x: L) -> L {
        let magnitude = L(laneBits: x.laneBits & 0x7fff_ffff)
        // Past 2|x| = 88.75, 1 − 2 / (e^88.75 + 1) is already exactly 1. (Through `exp` and its special values
        // the body outgrew what the optimiser inlines into the elementwise loop: a call per vector, 3× slower.)
        let large = 1 - 2 / (expInRange(L.lanesMin(magnitude + magnitude, 88.75)) + 1)
        let s = x * x
        var p = L(-5.704_988_727_45e-3)
        p = L.fusedMultiplyAdd(p, s, 2.063_908_879_54e-2)
        p = L.fusedMultiplyAdd(p, s, -5.373_971_555_31e-2)
        p = L.fusedMultiplyAdd(p, s, 1.333_144_220_36e-1)
        p = L.fusedMultiplyAdd(p, s, -3.333_328_194_22e-1)
        let small = p * s * x + x
        return large
            .replacing(with: -large, where: x.lanesBelow(0))
            .replacing(with: small, where: magnitude.lanesBelow(0.625))
            .replacing(with: x, where: x.lanesEqual(0))
            .replacing(with: x, where: x.lanesNaN)
    }

    /// erf x by Abramowitz and Stegun's 7.1.26, 1 − t·(a₁ + t·(a₂ + …))·e^(−x²) with t = 1/(1 + p·|x|), odd in x:
    /// within 1.5·10⁻⁷ of erf everywhere (absolute), as ATen's vectorised `erf`. Only GELU uses it, where the
    /// error is multiplied by x: relative to GELU's value it stays below 2·10⁻⁷.
    @inline(__always)
    static func erf<L: FloatLanes>(_ x: L) -> L { erfAndGaussian(x).erf }

    /// erf x and the e^(−x²) its formula takes (0 where that is below float's normal range), for GELU's slope,
    /// which needs both: e^(−x²) at x/√2 is √(2π)·φ(x), so the slope costs one exponential, not two.
    @inline(__always)
    static func erfAndGaussian<L: FloatLanes>(_ x: L) -> (erf: L, gaussian: L) {
        let magnitude = L(laneBits: x.laneBits & 0x7fff_ffff)
        let t = 1 / (magnitude * 0.327_591_1 + L(1))
        var p = L(1.061_405_429)
        p = L.fusedMultiplyAdd(p, t, -1.453_152_027)
        p = L.fusedMultiplyAdd(p, t, 1.421_413_741)
        p = L.fusedMultiplyAdd(p, t, -0.284_496_736)
        p = L.fusedMultiplyAdd(p, t, 0.254_829_592)
        let square = magnitude * magnitude
        let gaussian = expInRange(L.lanesMax(-square, -87.5)).replacing(with: L(0), where: square.lanesAbove(87.5))
        let positive = 1 - p * t * gaussian
        return (positive.replacing(with: -positive, where: x.lanesBelow(0)), gaussian)
    }

    /// GELU's slope, Φ(x) + x·φ(x), with one exponential (``erfAndGaussian(_:)``).
    @inline(__always)
    static func geluSlope<L: FloatLanes>(_ x: L) -> L {
        let (erf, gaussian) = erfAndGaussian(x * 0.707_106_781_186_547_5)
        return (erf + L(1)) * 0.5 + x * gaussian * 0.398_942_280_401_432_7
    }

    /// GELU, x·Φ(x) = 0.5·x·(1 + erf(x/√2)), through ``erf(_:)``.
    @inline(__always)
    static func gelu<L: FloatLanes>(_ x: L) -> L {
        x * (erf(x * 0.707_106_781_186_547_5) + L(1)) * 0.5
    }

    /// GELU with the tanh approximation, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    @inline(__always)
    static func geluTanh<L: FloatLanes>(_ x: L) -> L {
        x * (tanh((x * x * x * 0.044_715 + x) * 0.797_884_560_802_865_4) + L(1)) * 0.5
    }
}
