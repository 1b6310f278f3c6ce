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
/// Kernels are written once, generic over this protocol, and specialised for both types in each kernel level.
public protocol TensorScalar: BinaryFloatingPoint, SIMDScalar, Sendable, Codable {
    /// The storage type tag of this scalar type.
    static var dtype: DType { get }
}

extension Float: TensorScalar {
    public static var dtype: DType { .float32 }
}

extension Double: TensorScalar {
    public static var dtype: DType { .float64 }
}
