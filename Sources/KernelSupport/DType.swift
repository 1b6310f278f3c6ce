/// The element type of a tensor's storage.
///
/// `float32` is the compute type of every model and kernel. `float64` exists so that gradient checks can take
/// central differences without float32 round-off drowning the signal (see `gradcheck(_:inputs:)`). `bfloat16`
/// is what mixed precision multiplies in (autocast: bfloat16 operands, float32 accumulation and results) and
/// holds weights in half the memory; `float16` (IEEE half) is for weights stored that way. `int64`
/// (PyTorch's `long`) is what index results give (`argmax`) and what token ids, class labels and gather
/// indices are; `int32` is its compact form; `bool` (one byte, 0 or 1) is what comparisons give.
///
/// Which ops take which dtypes: views, copies, conversions (`to(_:)`), printing, files, comparisons, `which`,
/// `sum`, `argmax` and indexing work on every dtype (`sum` of bfloat16 or float16 adds in float32 and returns
/// float32). Matrix products take bfloat16 operands and give float32 (see `matmul`). Every other op computes in
/// float32 or float64 (``isArithmetic``): an integer, bool, bfloat16 or float16 operand beside a float32 or
/// float64 one is converted to that dtype first (PyTorch's type promotion, so `mask * x` works), and an op
/// whose operands are all of other dtypes stops with a message naming it and the dtype (PyTorch computes some
/// of these in integers or in bfloat16; SwiftGrad asks for a `to(.float32)`).
public enum DType: String, Sendable, CustomStringConvertible, CaseIterable {
    /// 32-bit IEEE float.
    case float32
    /// 64-bit IEEE float.
    case float64
    /// bfloat16: float32's sign and 8-bit exponent with a 7-bit fraction (about 3 significant digits).
    case bfloat16
    /// IEEE half precision: 5-bit exponent, 10-bit fraction, largest finite value 65504.
    case float16
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
        case .bfloat16, .float16: return 2
        case .bool: return 1
        }
    }

    /// Whether the elements are floating-point numbers: float32, float64, bfloat16, float16.
    public var isFloatingPoint: Bool { isArithmetic || self == .bfloat16 || self == .float16 }

    /// Whether elementwise ops, reductions and gradients compute in this dtype: float32 and float64.
    public var isArithmetic: Bool { self == .float32 || self == .float64 }

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
