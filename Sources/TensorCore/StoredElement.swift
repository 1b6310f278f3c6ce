// The Swift types that hold each dtype's elements, and the one switch that turns a runtime dtype into one of
// them, for the ops that work on every dtype (copies, conversions, comparisons, sums of integers).

/// A type that holds one dtype's elements in storage: `Float`, `Double`, `BFloat16`, `Half`, `Int32`, `Int64`,
/// and `UInt8` for bool (0 or 1; Swift's `Bool` may not hold a byte read from a file).
protocol StoredElement: Comparable {
    /// The dtype whose storage holds this type.
    static var dtype: DType { get }
    /// The value as a double (exact for floats; integers past 2⁵³ round).
    var doubleValue: Double { get }
    /// The value as a 64-bit integer: exact for integer dtypes and bool.
    var integerValue: Int64 { get }
    /// A float converted to this type: integers truncate toward zero and saturate at their range (NaN gives 0),
    /// bool is true for anything but ±0 (NaN included), as PyTorch's casts are on x86.
    init(converting value: Double)
    /// An integer converted to this type: int32 keeps the low 32 bits, bool is true for anything but 0.
    init(converting value: Int64)
}

extension Float: StoredElement {
    var doubleValue: Double { Double(self) }
    var integerValue: Int64 { Int64(converting: Double(self)) }
    init(converting value: Double) { self.init(value) }
    init(converting value: Int64) { self.init(value) }
}

extension Double: StoredElement {
    var doubleValue: Double { self }
    var integerValue: Int64 { Int64(converting: self) }
    init(converting value: Double) { self = value }
    init(converting value: Int64) { self.init(value) }
}

/// A 16-bit float: converted from a double through float32, as PyTorch's `c10::BFloat16` and `c10::Half` are.
protocol SixteenBitFloat: StoredElement {
    init(_ value: Float)
    var floatValue: Float { get }
}

extension SixteenBitFloat {
    var doubleValue: Double { Double(floatValue) }
    var integerValue: Int64 { Int64(converting: doubleValue) }
    init(converting value: Double) { self.init(Float(value)) }
    init(converting value: Int64) { self.init(Float(value)) }
}

extension BFloat16: SixteenBitFloat {
    static var dtype: DType { .bfloat16 }
}

extension Half: SixteenBitFloat {
    static var dtype: DType { .float16 }
}

extension Int32: StoredElement {
    static var dtype: DType { .int32 }
    var doubleValue: Double { Double(self) }
    var integerValue: Int64 { Int64(self) }
    init(converting value: Double) {
        self = value.isNaN ? 0 : value <= -0x1p31 ? .min : value >= 0x1p31 ? .max : Int32(value.rounded(.towardZero))
    }
    init(converting value: Int64) { self.init(truncatingIfNeeded: value) }
}

extension Int64: StoredElement {
    static var dtype: DType { .int64 }
    var doubleValue: Double { Double(self) }
    var integerValue: Int64 { self }
    init(converting value: Double) {
        self = value.isNaN ? 0 : value <= -0x1p63 ? .min : value >= 0x1p63 ? .max : Int64(value.rounded(.towardZero))
    }
    init(converting value: Int64) { self = value }
}

extension UInt8: StoredElement {
    static var dtype: DType { .bool }
    var doubleValue: Double { Double(self) }
    var integerValue: Int64 { Int64(self) }
    init(converting value: Double) { self = value != 0 ? 1 : 0 }
    init(converting value: Int64) { self = value != 0 ? 1 : 0 }
}

/// Code generic over the stored element type, run for a dtype known only at run time.
protocol StoredElementVisitor {
    associatedtype Result
    func visit<T: StoredElement>(_: T.Type) -> Result
}

extension DType {
    /// Runs `visitor` with the Swift type that holds this dtype's elements.
    func withStoredType<V: StoredElementVisitor>(_ visitor: V) -> V.Result {
        switch self {
        case .float32: return visitor.visit(Float.self)
        case .float64: return visitor.visit(Double.self)
        case .bfloat16: return visitor.visit(BFloat16.self)
        case .float16: return visitor.visit(Half.self)
        case .int32: return visitor.visit(Int32.self)
        case .int64: return visitor.visit(Int64.self)
        case .bool: return visitor.visit(UInt8.self)
        }
    }
}
