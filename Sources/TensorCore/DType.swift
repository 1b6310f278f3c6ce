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
    @inlinable @inline(__always) public static func sqrt(_ x: Float) -> Float { swiftgrad_sqrtf(x) }
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
