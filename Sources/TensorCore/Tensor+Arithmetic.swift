// Broadcasting arithmetic and comparisons, with their pullbacks.

extension Tensor {
    /// A 0-d tensor holding `value`, of the given dtype.
    public convenience init(scalar value: Float, dtype: DType = .float32) {
        self.init(storing: Double(value), dtype: dtype)
    }

    /// A 0-d tensor holding `value` converted to `dtype` as ``to(_:)`` converts.
    convenience init(storing value: Double, dtype: DType) {
        self.init(shape: [], scalars: [value], dtype: dtype)
    }
}

/// Elementwise sum with broadcasting. **Shapes:** `a`, `b` broadcast to the result.
public func + (a: Tensor, b: Tensor) -> Tensor {
    let needA = a.requiresGrad, needB = b.requiresGrad
    return Tensor.combining(a, b, .add, name: "add").recorded("add", a, b) { g in
        [needA ? g : nil, needB ? g : nil]
    }
}

/// Elementwise difference with broadcasting. **Shapes:** `a`, `b` broadcast to the result.
public func - (a: Tensor, b: Tensor) -> Tensor {
    let needA = a.requiresGrad, needB = b.requiresGrad
    return Tensor.combining(a, b, .subtract, name: "subtract").recorded("subtract", a, b) { g in
        [needA ? g : nil, needB ? -g : nil]
    }
}

/// Elementwise product with broadcasting. **Shapes:** `a`, `b` broadcast to the result.
public func * (a: Tensor, b: Tensor) -> Tensor {
    let needA = a.requiresGrad, needB = b.requiresGrad
    return Tensor.combining(a, b, .multiply, name: "multiply").recorded("multiply", a, b) { g in
        [needA ? g * b : nil, needB ? g * a : nil]
    }
}

/// Elementwise quotient with broadcasting. **Shapes:** `a`, `b` broadcast to the result.
public func / (a: Tensor, b: Tensor) -> Tensor {
    let needA = a.requiresGrad, needB = b.requiresGrad
    return Tensor.combining(a, b, .divide, name: "divide").recorded("divide", a, b) { g in
        [needA ? g / b : nil, needB ? -(g * a) / (b * b) : nil]
    }
}

/// Elementwise negation.
public prefix func - (a: Tensor) -> Tensor {
    a.applying(.negate).recorded("negate", a) { g in [-g] }
}

/// `a + s` for every element.
public func + <S: BinaryFloatingPoint>(a: Tensor, s: S) -> Tensor { a + a.scalarLike(s) }
/// `s + a` for every element.
public func + <S: BinaryFloatingPoint>(s: S, a: Tensor) -> Tensor { a.scalarLike(s) + a }
/// `a - s` for every element.
public func - <S: BinaryFloatingPoint>(a: Tensor, s: S) -> Tensor { a - a.scalarLike(s) }
/// `s - a` for every element.
public func - <S: BinaryFloatingPoint>(s: S, a: Tensor) -> Tensor { a.scalarLike(s) - a }
/// `a * s` for every element.
public func * <S: BinaryFloatingPoint>(a: Tensor, s: S) -> Tensor { a * a.scalarLike(s) }
/// `s * a` for every element.
public func * <S: BinaryFloatingPoint>(s: S, a: Tensor) -> Tensor { a.scalarLike(s) * a }
/// `a / s` for every element.
public func / <S: BinaryFloatingPoint>(a: Tensor, s: S) -> Tensor { a / a.scalarLike(s) }
/// `s / a` for every element.
public func / <S: BinaryFloatingPoint>(s: S, a: Tensor) -> Tensor { a.scalarLike(s) / a }

/// Adds `b` (broadcast to `a`'s shape) into `a`'s elements, through views too. Not recorded by autograd.
public func += (a: Tensor, b: Tensor) { a.update(.add, b, name: "add_") }
/// Subtracts `b` (broadcast to `a`'s shape) from `a`'s elements in place. Not recorded by autograd.
public func -= (a: Tensor, b: Tensor) { a.update(.subtract, b, name: "sub_") }
/// Multiplies `a`'s elements by `b` (broadcast to `a`'s shape) in place. Not recorded by autograd.
public func *= (a: Tensor, b: Tensor) { a.update(.multiply, b, name: "mul_") }
/// Divides `a`'s elements by `b` (broadcast to `a`'s shape) in place. Not recorded by autograd.
public func /= (a: Tensor, b: Tensor) { a.update(.divide, b, name: "div_") }
/// Adds `s` to every element of `a` in place.
public func += <S: BinaryFloatingPoint>(a: Tensor, s: S) { a += a.scalarLike(s) }
/// Subtracts `s` from every element of `a` in place.
public func -= <S: BinaryFloatingPoint>(a: Tensor, s: S) { a -= a.scalarLike(s) }
/// Multiplies every element of `a` by `s` in place.
public func *= <S: BinaryFloatingPoint>(a: Tensor, s: S) { a *= a.scalarLike(s) }
/// Divides every element of `a` by `s` in place.
public func /= <S: BinaryFloatingPoint>(a: Tensor, s: S) { a /= a.scalarLike(s) }

// Comparisons give bool tensors, of any two dtypes (promoted to one first); they have no gradient. They are
// spelt as Swift's SIMD types spell elementwise comparisons (and mlx-swift's arrays): `.<`, `.==`, so that `<`
// and `==` keep the meaning they have everywhere else in Swift, a Bool. A bool mask multiplies a float tensor
// as 1 and 0 (`x * (x .> 0)`).

/// True where `a < b`, with broadcasting (PyTorch's `a < b`).
public func .< (a: Tensor, b: Tensor) -> Tensor { Tensor.compared(a, b, .less, name: "less") }
/// True where `a <= b`, with broadcasting.
public func .<= (a: Tensor, b: Tensor) -> Tensor { Tensor.compared(a, b, .lessEqual, name: "less_equal") }
/// True where `a > b`, with broadcasting.
public func .> (a: Tensor, b: Tensor) -> Tensor { Tensor.compared(a, b, .greater, name: "greater") }
/// True where `a >= b`, with broadcasting.
public func .>= (a: Tensor, b: Tensor) -> Tensor { Tensor.compared(a, b, .greaterEqual, name: "greater_equal") }
/// True where the elements are equal, with broadcasting (PyTorch's `a == b`).
public func .== (a: Tensor, b: Tensor) -> Tensor { Tensor.compared(a, b, .equal, name: "eq") }
/// True where the elements differ, with broadcasting (PyTorch's `a != b`).
public func .!= (a: Tensor, b: Tensor) -> Tensor { Tensor.compared(a, b, .notEqual, name: "ne") }
/// True where `a < s`.
public func .< <S: BinaryFloatingPoint>(a: Tensor, s: S) -> Tensor { a .< a.scalarLike(s) }
/// True where `a <= s`.
public func .<= <S: BinaryFloatingPoint>(a: Tensor, s: S) -> Tensor { a .<= a.scalarLike(s) }
/// True where `a > s`.
public func .> <S: BinaryFloatingPoint>(a: Tensor, s: S) -> Tensor { a .> a.scalarLike(s) }
/// True where `a >= s`.
public func .>= <S: BinaryFloatingPoint>(a: Tensor, s: S) -> Tensor { a .>= a.scalarLike(s) }
/// True where an element equals `s`.
public func .== <S: BinaryFloatingPoint>(a: Tensor, s: S) -> Tensor { a .== a.scalarLike(s) }
/// True where an element differs from `s`.
public func .!= <S: BinaryFloatingPoint>(a: Tensor, s: S) -> Tensor { a .!= a.scalarLike(s) }

extension Tensor {
    /// The larger of each pair of elements, with broadcasting; NaN wins. The gradient goes to the larger side
    /// (to `self` on ties).
    public func maximum(_ other: Tensor) -> Tensor {
        let result = Tensor.combining(self, other, .maximum, name: "maximum")
        return result.recorded("maximum", self, other) { [self] g in
            Tensor.routed(g, takingFirst: self .>= other)
        }
    }

    /// The smaller of each pair of elements, with broadcasting; NaN wins. The gradient goes to the smaller
    /// side (to `self` on ties).
    public func minimum(_ other: Tensor) -> Tensor {
        let result = Tensor.combining(self, other, .minimum, name: "minimum")
        return result.recorded("minimum", self, other) { [self] g in
            Tensor.routed(g, takingFirst: self .<= other)
        }
    }

    /// `g` where `first` holds and 0 elsewhere, and the other way round: a two-way op's gradients.
    static func routed(_ g: Tensor, takingFirst first: Tensor) -> [Tensor?] {
        let zero = Tensor(scalar: 0, dtype: g.dtype)
        return [which(first, g, zero), which(first, zero, g)]
    }
}

/// Elements of `a` where `condition` holds (is true, or non-zero for a condition of another dtype), of `b`
/// elsewhere, all three broadcast together (PyTorch's `torch.where`, mlx-swift's `which`: `where` is a Swift
/// keyword); `a` and `b` are promoted to one dtype as arithmetic's operands are. The gradient flows to `a` where
/// the condition holds and to `b` elsewhere.
///
/// ```swift
/// let clipped = which(x .> 1, Tensor(1), x)
/// ```
///
/// **Shapes:** `condition`, `a`, `b` broadcast to the result.
public func which(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
    let condition = condition.to(.bool), (a, b) = Tensor.promoted(a, b, name: "which")
    let ab = Shapes.broadcastOrStop(a.shape, b.shape, op: "which")
    let shape = Shapes.broadcastOrStop(condition.shape, ab, op: "which")
    let out = Tensor(uninitializedShape: shape, dtype: a.dtype)
    let cs = Shapes.broadcastStrides(shape: condition.shape, strides: condition.strides, to: shape)
    let aStrides = Shapes.broadcastStrides(shape: a.shape, strides: a.strides, to: shape)
    let bStrides = Shapes.broadcastStrides(shape: b.shape, strides: b.strides, to: shape)
    guard a.dtype.isArithmetic else {
        out.writeSelection(condition, a, b)
        return out
    }
    Kernels.active.select(a.dtype, shape: shape, out: out.rawPointer, outStrides: out.strides,
                          condition: condition.rawPointer, conditionStrides: cs, a: a.rawPointer, aStrides: aStrides,
                          b: b.rawPointer, bStrides: bStrides)
    let needA = a.requiresGrad, needB = b.requiresGrad
    return out.recorded("which", a, b) { g in
        let zero = Tensor(scalar: 0, dtype: g.dtype)
        return [needA ? which(condition, g, zero) : nil, needB ? which(condition, zero, g) : nil]
    }
}
