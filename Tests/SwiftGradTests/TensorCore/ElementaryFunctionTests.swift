import Foundation
import Testing
@testable import TensorCore

/// Float's exp, log and tanh (vectorisable polynomials) against the correctly rounded float of libm's double
/// result: at most 1 ulp apart on special values and seeded random inputs (random bit patterns, and uniform in
/// [−20, 20]); and pow's special exponents.
@Suite struct ElementaryFunctionTests {
    /// How many floats lie between `a` and `b` (0 when both are NaN; Int.max when only one is, or infinite).
    static func ulps(_ a: Float, _ b: Float) -> Int {
        if a == b || (a.isNaN && b.isNaN) { return 0 }
        if !a.isFinite || !b.isFinite { return .max }
        func ordered(_ x: Float) -> Int64 {
            let bits = Int64(Int32(bitPattern: x.bitPattern))
            return bits < 0 ? Int64(Int32.min) - bits : bits
        }
        return Int(Swift.abs(ordered(a) - ordered(b)))
    }

    static let inputs: [Float] = {
        var values: [Float] = [0, -0.0, 1, -1, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .leastNormalMagnitude / 8,
                               .leastNormalMagnitude, .greatestFiniteMagnitude, 0.625, -0.625, 0.624_999_9, 9, 10,
                               44, 88.7, -87.4, 1e-30, 0.707_106_77, 0.707_106_8, 1.414_213_5, -1e-7]
        let g = RandomGenerator(seed: 42)
        for _ in 0..<20_000 { values.append(Float(bitPattern: UInt32(truncatingIfNeeded: g.withLock { $0.nextBits() }))) }
        values += Tensor.rand([20_000], low: -20, high: 20, generator: g).scalars
        return values
    }()

    /// Tensor ops run exp, log and tanh 16 lanes at a time with a scalar remainder (40,024 inputs: 8 left over):
    /// every element has the scalar function's bits, in every kernel family (each compiles both for its level).
    @Test(arguments: KernelFamily.distinctFloat32)
    func tensorOpsGiveTheScalarFunctionsBits(_ kernel: KernelFamily) {
        KernelSettings.withFamily(kernel) { Self.tensorOpsGiveTheScalarFunctionsBits() }
    }

    static func tensorOpsGiveTheScalarFunctionsBits() {
        let x = Tensor(shape: [Self.inputs.count], scalars: Self.inputs)
        let cases: [(String, (Tensor) -> Tensor, (Float) -> Float)] = [
            ("exp", { $0.exp() }, Float.exp), ("log", { $0.log() }, Float.log), ("tanh", { $0.tanh() }, Float.tanh),
        ]
        for (name, op, scalar) in cases {
            let got = op(x).scalars, want = Self.inputs.map(scalar)
            let differing = zip(got, want).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(name): \(differing) of \(want.count) differ")
        }
    }

    @Test(arguments: KernelFamily.distinctFloat32)
    func logIsWithinOneUlp(_ kernel: KernelFamily) {
        KernelSettings.withFamily(kernel) { Self.logIsWithinOneUlp() }
    }

    static func logIsWithinOneUlp() {
        for x in Self.inputs {
            #expect(Self.ulps(Float.log(x), Float(Foundation.log(Double(x)))) <= 1, "log(\(x))")
        }
    }

    @Test(arguments: KernelFamily.distinctFloat32)
    func tanhIsWithinOneUlpAndKeepsTheSignOfZero(_ kernel: KernelFamily) {
        KernelSettings.withFamily(kernel) { Self.tanhIsWithinOneUlpAndKeepsTheSignOfZero() }
    }

    static func tanhIsWithinOneUlpAndKeepsTheSignOfZero() {
        for x in Self.inputs {
            #expect(Self.ulps(Float.tanh(x), Float(Foundation.tanh(Double(x)))) <= 1, "tanh(\(x))")
        }
        #expect(Float.tanh(-0.0).sign == .minus)
    }

    /// Results that would be subnormal are flushed to zero, as documented.
    @Test(arguments: KernelFamily.distinctFloat32)
    func expIsWithinOneUlpAboveTheSubnormalRange(_ kernel: KernelFamily) {
        KernelSettings.withFamily(kernel) { Self.expIsWithinOneUlpAboveTheSubnormalRange() }
    }

    static func expIsWithinOneUlpAboveTheSubnormalRange() {
        for x in Self.inputs {
            let expected = x < -87.5 ? 0 : Float(Foundation.exp(Double(x)))
            #expect(Self.ulps(Float.exp(x), expected) <= 1, "exp(\(x))")
        }
    }

    /// pow with the exponents computed by multiplication and square roots (3, −0.5, −1, −2), as PyTorch does, is
    /// within 2 ulp of libm's pow on positive and negative inputs.
    @Test(arguments: [3.0, -0.5, -1, -2])
    func powWithSpecialExponentsMatchesLibm(_ exponent: Double) {
        let values = Tensor.rand([1000], low: -4, high: 4, generator: RandomGenerator(seed: 9)).scalars
            .filter { exponent != -0.5 || $0 > 0 }
        let powers = Tensor(shape: [values.count], scalars: values).pow(Float(exponent)).scalars
        for (x, y) in zip(values, powers) {
            #expect(Self.ulps(y, Float(Foundation.pow(Double(x), exponent))) <= 2, "\(x)^\(exponent)")
        }
    }
}
