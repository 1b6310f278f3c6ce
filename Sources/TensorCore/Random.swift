import Foundation

/// A seedable pseudo-random generator (xoshiro256**, seeded through SplitMix64): the same seed gives the
/// same numbers on every platform and build.
///
/// Ops that draw random numbers take an optional generator and fall back to ``RandomGenerator/global``,
/// which ``manualSeed(_:)`` reseeds. A generator is safe to share between threads.
public final class RandomGenerator: @unchecked Sendable {
    private var s0: UInt64 = 0, s1: UInt64 = 0, s2: UInt64 = 0, s3: UInt64 = 0
    private let lock = NSLock()

    /// The generator used when an op is given none. Its default seed is 0, so runs are reproducible unless
    /// reseeded.
    public static let global = RandomGenerator(seed: 0)

    /// A generator started from `seed`.
    public init(seed: UInt64) { reseed(seed) }

    /// Restarts the sequence from `seed`.
    public func reseed(_ seed: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// Runs `body` with exclusive use of the generator, so one tensor's numbers are drawn without interleaving.
    package func withLock<R>(_ body: (RandomGenerator) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(self)
    }

    /// The next 64 random bits (call inside `withLock`).
    @inline(__always)
    func nextBits() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    func nextUniform() -> Double { Double(nextBits() >> 11) * 0x1p-53 }

    /// Uniform integer in `0..<bound` without modulo bias (Lemire's multiply-and-reject).
    package func nextInt(below bound: UInt64) -> UInt64 {
        require(bound > 0, "nextInt: the bound must be positive, got \(bound)")
        while true {
            let product = nextBits().multipliedFullWidth(by: bound)
            if product.low >= (0 &- bound) % bound { return product.high }
        }
    }

    /// Standard normal pairs by the Box–Muller transform.
    func fillNormal(_ count: Int, _ store: (Int, Double) -> Void) {
        var i = 0
        while i < count {
            let u1 = 1 - nextUniform()   // in (0, 1], so log is finite
            let u2 = nextUniform()
            let radius = (-2 * Foundation.log(u1)).squareRoot()
            let angle = 2 * Double.pi * u2
            store(i, radius * Foundation.cos(angle))
            if i + 1 < count { store(i + 1, radius * Foundation.sin(angle)) }
            i += 2
        }
    }
}

/// Reseeds the global generator, as PyTorch's `torch.manual_seed`.
public func manualSeed(_ seed: UInt64) { RandomGenerator.global.reseed(seed) }

/// Runs `body` with ``Tensor/rand(_:low:high:dtype:generator:)`` and ``Tensor/randn(_:dtype:generator:)``
/// returning tensors whose elements are allocated but not written (and no generator advanced), as transformers'
/// `no_init_weights`: for building a model whose parameters are all loaded next, where drawing 100 million
/// random numbers first would take most of the load time. Until they are loaded, such parameters hold
/// arbitrary values. Task-local: code running beside `body` draws as usual.
///
/// ```swift
/// let model = withoutInitialization { BertModel(configuration) }
/// try model.loadStateDict(try SafeTensors.read(file), assign: true)
/// ```
public func withoutInitialization<Result>(_ body: () throws -> Result) rethrows -> Result {
    try Tensor.initializationSkipped.withValue(true, body)
}

extension Tensor {
    /// Set by ``withoutInitialization(_:)``.
    static let initializationSkipped = ScopedOverride<Bool>()

    /// Fills a new tensor by calling `value(i)` for each flat index under the generator's lock.
    private static func generated(
        _ shape: [Int], dtype: DType, generator: RandomGenerator?,
        _ fill: (RandomGenerator, _ count: Int, _ store: (Int, Double) -> Void) -> Void
    ) -> Tensor {
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        out.requireArithmetic("random")
        if initializationSkipped.current == true { return out }
        let n = out.count
        (generator ?? .global).withLock { g in
            switch dtype {
            case .float32:
                let p = out.pointer(Float.self)
                fill(g, n) { p[$0] = Float($1) }
            case .float64:
                let p = out.pointer(Double.self)
                fill(g, n) { p[$0] = $1 }
            case .bfloat16, .float16, .int32, .int64, .bool:
                break
            }
        }
        return out
    }

    /// Samples from the standard normal distribution N(0, 1).
    ///
    /// **Shapes:** the result has `shape`.
    public static func randn(_ shape: [Int], dtype: DType = .float32, generator: RandomGenerator? = nil) -> Tensor {
        generated(shape, dtype: dtype, generator: generator) { g, n, store in g.fillNormal(n, store) }
    }

    /// `randn(_:dtype:generator:)` with the sizes as arguments: `Tensor.randn(200, 100)`.
    public static func randn(_ shape: Int..., generator: RandomGenerator? = nil) -> Tensor {
        randn(shape, generator: generator)
    }

    /// Samples uniformly from [low, high).
    public static func rand(
        _ shape: [Int], low: Float = 0, high: Float = 1, dtype: DType = .float32, generator: RandomGenerator? = nil
    ) -> Tensor {
        let lo = Double(low), span = Double(high) - Double(low)
        return generated(shape, dtype: dtype, generator: generator) { g, n, store in
            for i in 0..<n { store(i, lo + span * g.nextUniform()) }
        }
    }

    /// `rand(_:low:high:dtype:generator:)` with the sizes as arguments: `Tensor.rand(3, 4)`.
    public static func rand(_ shape: Int..., generator: RandomGenerator? = nil) -> Tensor {
        rand(shape, generator: generator)
    }

    /// Integers drawn uniformly from `low..<high`, as PyTorch's `randint`: int64 unless `dtype` says otherwise.
    public static func randint(
        _ low: Int, _ high: Int, shape: [Int], dtype: DType = .int64, generator: RandomGenerator? = nil
    ) -> Tensor {
        require(high > low, "randint: empty range \(low)..<\(high)")
        let span = UInt64(high - low)
        let values = (generator ?? .global).withLock { g in
            (0..<Shapes.count(shape)).map { _ in low + Int(g.nextInt(below: span)) }
        }
        return Tensor(shape: shape, integers: values, dtype: dtype)
    }

    /// A random permutation of `0..<n` (Fisher–Yates), as integers.
    public static func randomPermutation(_ n: Int, generator: RandomGenerator? = nil) -> [Int] {
        var result = Array(0..<n)
        (generator ?? .global).withLock { g in
            for i in stride(from: n - 1, to: 0, by: -1) {
                result.swapAt(i, Int(g.nextInt(below: UInt64(i + 1))))
            }
        }
        return result
    }
}
