import FloatIntrinsics
import Foundation

/// The element type of a tensor's storage.
///
/// `float32` is the compute type of every model and kernel. `float64` exists so that gradient checks can take
/// central differences without float32 round-off drowning the signal (see `gradcheck(_:inputs:)`).
public enum DType: String, Sendable, CustomStringConvertible {
    /// 32-bit IEEE float.
    case float32
    /// 64-bit IEEE float.
    case float64

    /// Bytes per element.
    public var byteSize: Int { self == .float32 ? 4 : 8 }

    public var description: String { rawValue }
}

/// A scalar type a tensor can hold: `Float` or `Double`.
///
/// Kernels are written once, generic over this protocol, and specialised for both types inside the module.
public protocol TensorScalar: BinaryFloatingPoint, SIMDScalar, Sendable, Codable {
    /// The storage type tag of this scalar type.
    static var dtype: DType { get }
    /// e^x.
    static func exp(_ x: Self) -> Self
    /// Natural logarithm.
    static func log(_ x: Self) -> Self
    /// The square root (NaN for negative x), as `squareRoot()` but vectorisable: on Linux `squareRoot()` is
    /// a libm call per element.
    static func sqrt(_ x: Self) -> Self
    /// Hyperbolic tangent.
    static func tanh(_ x: Self) -> Self
    /// x^y.
    static func pow(_ x: Self, _ y: Self) -> Self
}

extension Float: TensorScalar {
    public static var dtype: DType { .float32 }
    /// e^x by range reduction and a degree-6 polynomial (Cephes' `expf`, within 2 ulp), written without
    /// branches or calls so that loops over it vectorise; libm's `expf` is a call per element, 9× slower.
    @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let clamped = Swift.min(Swift.max(x, -87.5), 88.75)
        // Round x / ln 2 to an integer n by the 1.5·2^23 trick: n lands in the low mantissa bits of `shifted`.
        let magic: Float = 12_582_912
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        let r = (clamped - n * 0.693_359_375) - n * -2.121_944_4e-4
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let er = p * r * r + r + 1
        // 2^n in two halves so that n = 128 (x near 88.7) does not overflow the exponent field.
        let bits = Int32(bitPattern: shifted.bitPattern &- magic.bitPattern)
        let half = bits >> 1
        let scaleA = Float(bitPattern: UInt32(bitPattern: (half &+ 127) << 23))
        let scaleB = Float(bitPattern: UInt32(bitPattern: (bits &- half &+ 127) << 23))
        let result = er * scaleA * scaleB
        if x > 88.75 { return .infinity }
        if x < -87.5 { return 0 }
        return x.isNaN ? x : result
    }
    @inlinable public static func log(_ x: Float) -> Float { Foundation.log(x) }
    @inlinable @inline(__always) public static func sqrt(_ x: Float) -> Float { swiftgrad_sqrtf(x) }
    @inlinable public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    @inlinable public static func pow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
}

extension Double: TensorScalar {
    public static var dtype: DType { .float64 }
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inlinable @inline(__always) public static func sqrt(_ x: Double) -> Double { swiftgrad_sqrt(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
}
