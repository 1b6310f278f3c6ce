/// The element type of a tensor's storage.
///
/// `float32` is the compute type of every model and kernel. `float64` exists so that gradient checks can take
/// central differences without float32 round-off drowning the signal (see `gradcheck(_:inputs:)`). `int64`
/// (PyTorch's `long`) is what index results give (`argmax`) and what token ids, class labels and gather
/// indices are; `int32` is its compact form; `bool` (one byte, 0 or 1) is what comparisons give.
///
/// Which ops take which dtypes: views, copies, conversions (`to(_:)`), printing, files, comparisons, `which`,
/// `sum`, `argmax` and indexing work on every dtype. Every other op is a floating-point op: an integer or
/// bool operand beside a floating-point one is converted to the floating-point dtype first (PyTorch's type
/// promotion, so `mask * x` works), and an op whose operands are all integer or bool stops with a message
/// naming it and the dtype (PyTorch computes some of these in integers; SwiftGrad asks for a `to(.float32)`).
public enum DType: String, Sendable, CustomStringConvertible, CaseIterable {
    /// 32-bit IEEE float.
    case float32
    /// 64-bit IEEE float.
    case float64
    /// 32-bit signed integer.
    case int32
    /// 64-bit signed integer: PyTorch's `long`.
    case int64
    /// True or false, one byte (0 or 1) per element.
    case bool

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        case .bool: return 1
        }
    }

    /// Whether the elements are floating-point numbers (the dtypes arithmetic and gradients work in).
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

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
