import KernelSupport
import CPUFeatures

/// One `Float` or a SIMD vector of them: what the elementary functions (`exp`, `log`, `tanh`) compute on.
///
/// The functions are written once against this protocol. The elementwise kernels run them on `SIMD16<Float>`,
/// 16 lanes per instruction on AVX-512 (LLVM's loop vectoriser picks 256-bit vectors on Intel CPUs, so the
/// same code as a scalar loop ran 1.4× slower), and on single floats for remainders and scalar callers; both
/// give the same bits, lane by lane.
protocol FloatLanes {
    /// The result of comparing two `Self`s: a `Bool` per lane.
    associatedtype Mask
    /// Lanes of `Int32`, as many as `Self` has.
    associatedtype IntLanes: Int32Lanes where IntLanes.Mask == Mask

    /// Every lane `value`.
    init(_ value: Float)
    /// Lanes converted from integers of at most 2^22 in magnitude (exactly).
    init(exactly integers: IntLanes)
    /// Lanes with the given bit patterns.
    init(laneBits: IntLanes)
    /// The lanes' bit patterns.
    var laneBits: IntLanes { get }

    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    static func + (lhs: Self, rhs: Float) -> Self
    static func - (lhs: Self, rhs: Float) -> Self
    static func * (lhs: Self, rhs: Float) -> Self
    static func - (lhs: Float, rhs: Self) -> Self
    static func / (lhs: Float, rhs: Self) -> Self
    static prefix func - (operand: Self) -> Self
    /// a·b + c in one rounding (`vfmadd` / `fmla`) where the build targets FMA; elsewhere a multiply and an add,
    /// since a fused one would be a libm `fmaf` call per lane there. A `Float` and a vector's lanes agree either way.
    static func fusedMultiplyAdd(_ a: Self, _ b: Self, _ c: Float) -> Self

    /// Lane-wise minimum and maximum (as `Swift.min`/`max`: NaN handling is the caller's).
    static func lanesMin(_ a: Self, _ b: Float) -> Self
    static func lanesMax(_ a: Self, _ b: Float) -> Self
    /// Lanes below `bound`, and lanes above it.
    func lanesBelow(_ bound: Float) -> Mask
    func lanesAbove(_ bound: Float) -> Mask
    /// Lanes that equal `value`, and lanes that are NaN.
    func lanesEqual(_ value: Float) -> Mask
    var lanesNaN: Mask { get }
    /// `value` in the lanes where `mask` is set, `self` elsewhere.
    func replacing(with value: Self, where mask: Mask) -> Self
}

/// One `Int32` or a SIMD vector of them: the bit patterns of `FloatLanes`.
protocol Int32Lanes {
    /// A `Bool` per lane.
    associatedtype Mask
    /// `value` in the lanes where `mask` is set, `self` elsewhere.
    func replacing(with value: Self, where mask: Mask) -> Self
    static func &- (lhs: Self, rhs: Self) -> Self
    static func &+ (lhs: Self, rhs: Int32) -> Self
    static func &- (lhs: Self, rhs: Int32) -> Self
    static func &>> (lhs: Self, rhs: Int32) -> Self
    static func &<< (lhs: Self, rhs: Int32) -> Self
    static func & (lhs: Self, rhs: Int32) -> Self
}

// Spelled out: the wrapping operators Int32 would otherwise witness with are `SignedInteger`'s unavailable ones.
extension Int32: Int32Lanes {
    @inline(__always) func replacing(with value: Int32, where mask: Bool) -> Int32 { mask ? value : self }
    @inline(__always) static func &+ (lhs: Int32, rhs: Int32) -> Int32 { lhs.addingReportingOverflow(rhs).partialValue }
    @inline(__always) static func &- (lhs: Int32, rhs: Int32) -> Int32 {
        lhs.subtractingReportingOverflow(rhs).partialValue
    }
}

extension SIMD16: Int32Lanes where Scalar == Int32 {}

extension Float: FloatLanes {
    @inline(__always) static func fusedMultiplyAdd(_ a: Float, _ b: Float, _ c: Float) -> Float {
        swiftgrad_build_has_fma() == 1 ? c.addingProduct(a, b) : a * b + c
    }
    @inline(__always) init(exactly integers: Int32) { self.init(integers) }
    @inline(__always) init(laneBits: Int32) { self.init(bitPattern: UInt32(bitPattern: laneBits)) }
    @inline(__always) var laneBits: Int32 { Int32(bitPattern: bitPattern) }
    @inline(__always) static func lanesMin(_ a: Float, _ b: Float) -> Float { Swift.min(a, b) }
    @inline(__always) static func lanesMax(_ a: Float, _ b: Float) -> Float { Swift.max(a, b) }
    @inline(__always) func lanesBelow(_ bound: Float) -> Bool { self < bound }
    @inline(__always) func lanesAbove(_ bound: Float) -> Bool { self > bound }
    @inline(__always) func lanesEqual(_ value: Float) -> Bool { self == value }
    @inline(__always) var lanesNaN: Bool { isNaN }
    @inline(__always) func replacing(with value: Float, where mask: Bool) -> Float { mask ? value : self }
}

// Minimum and maximum as comparisons and blends, with `Swift.min`'s and `max`'s answers for NaN and signed
// zeros: `clamped(lowerBound:upperBound:)` compiled to a loop over the lanes, and `pointwiseMin`/`pointwiseMax`
// were left as calls (exp and tanh of 1M floats took 3 ms instead of 0.5).
extension SIMD16: FloatLanes where Scalar == Float {
    @inline(__always) static func fusedMultiplyAdd(_ a: Self, _ b: Self, _ c: Float) -> Self {
        swiftgrad_build_has_fma() == 1 ? Self(repeating: c).addingProduct(a, b) : a * b + c
    }
    @inline(__always) init(_ value: Float) { self.init(repeating: value) }
    /// Added into the mantissa of 1.5·2^23 and taken out again: the library's lane-by-lane conversion
    /// compiled to a call and a loop.
    @inline(__always) init(exactly integers: SIMD16<Int32>) {
        let magic: Float = 12_582_912
        self = Self(laneBits: integers &+ Int32(bitPattern: magic.bitPattern)) - magic
    }
    @inline(__always) init(laneBits: SIMD16<Int32>) { self = unsafeBitCast(laneBits, to: Self.self) }
    @inline(__always) var laneBits: SIMD16<Int32> { unsafeBitCast(self, to: SIMD16<Int32>.self) }
    @inline(__always) static func lanesMin(_ a: Self, _ b: Float) -> Self {
        a.replacing(with: Self(repeating: b), where: a .> b)
    }
    @inline(__always) static func lanesMax(_ a: Self, _ b: Float) -> Self {
        a.replacing(with: Self(repeating: b), where: a .<= b)
    }
    @inline(__always) func lanesBelow(_ bound: Float) -> SIMDMask<SIMD16<Int32>> { self .< bound }
    @inline(__always) func lanesAbove(_ bound: Float) -> SIMDMask<SIMD16<Int32>> { self .> bound }
    @inline(__always) func lanesEqual(_ value: Float) -> SIMDMask<SIMD16<Int32>> { self .== value }
    @inline(__always) var lanesNaN: SIMDMask<SIMD16<Int32>> { self .!= self }
}
