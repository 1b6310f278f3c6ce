// Broadcasting arithmetic and comparisons, with their pullbacks.

extension Tensor {
    /// A 0-d tensor holding `value`, of the given dtype.
    public convenience init(scalar value: Float, dtype: DType = .float32) {
        self.init(uninitializedShape: [], dtype: dtype)
        switch dtype {
        case .float32: pointer(Float.self).pointee = value
        case .float64: pointer(Double.self).pointee = Double(value)
        }
    }

    fileprivate func scalarLike<S: BinaryFloatingPoint>(_ value: S) -> Tensor { Tensor(scalar: Float(value), dtype: dtype) }
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

// Comparisons give masks of 0 and 1 in the operands' dtype; they have no gradient. They are spelt as Swift's
// SIMD types spell elementwise comparisons (and mlx-swift's arrays): `.<`, `.==`, so that `<` and `==` keep the
// meaning they have everywhere else in Swift, a Bool.

/// 1 where `a < b`, else 0, with broadcasting (PyTorch's `a < b`).
public func .< (a: Tensor, b: Tensor) -> Tensor { Tensor.combining(a, b, .less, name: "less") }
/// 1 where `a <= b`, else 0, with broadcasting.
public func .<= (a: Tensor, b: Tensor) -> Tensor { Tensor.combining(a, b, .lessEqual, name: "less_equal") }
/// 1 where `a > b`, else 0, with broadcasting.
public func .> (a: Tensor, b: Tensor) -> Tensor { Tensor.combining(a, b, .greater, name: "greater") }
/// 1 where `a >= b`, else 0, with broadcasting.
public func .>= (a: Tensor, b: Tensor) -> Tensor { Tensor.combining(a, b, .greaterEqual, name: "greater_equal") }
/// 1 where the elements are equal, else 0, with broadcasting (PyTorch's `a == b`).
public func .== (a: Tensor, b: Tensor) -> Tensor { Tensor.combining(a, b, .equal, name: "eq") }
/// 1 where the elements differ, else 0, with broadcasting (PyTorch's `a != b`).
public func .!= (a: Tensor, b: Tensor) -> Tensor { Tensor.combining(a, b, .notEqual, name: "ne") }
/// 1 where `a < s`, else 0.
public func .< <S: BinaryFloatingPoint>(a: Tensor, s: S) -> Tensor { a .< a.scalarLike(s) }
/// 1 where `a <= s`, else 0.
public func .<= <S: BinaryFloatingPoint>(a: Tensor, s: S) -> Tensor { a .<= a.scalarLike(s) }
/// 1 where `a > s`, else 0.
public func .> <S: BinaryFloatingPoint>(a: Tensor, s: S) -> Tensor { a .> a.scalarLike(s) }
/// 1 where `a >= s`, else 0.
public func .>= <S: BinaryFloatingPoint>(a: Tensor, s: S) -> Tensor { a .>= a.scalarLike(s) }
/// 1 where an element equals `s`, else 0.
public func .== <S: BinaryFloatingPoint>(a: Tensor, s: S) -> Tensor { a .== a.scalarLike(s) }
/// 1 where an element differs from `s`, else 0.
public func .!= <S: BinaryFloatingPoint>(a: Tensor, s: S) -> Tensor { a .!= a.scalarLike(s) }

extension Tensor {
    /// The larger of each pair of elements, with broadcasting; NaN wins. The gradient goes to the larger side
    /// (to `self` on ties).
    public func maximum(_ other: Tensor) -> Tensor {
        let result = Tensor.combining(self, other, .maximum, name: "maximum")
        return result.recorded("maximum", self, other) { [self] g in
            let takeSelf = self .>= other
            return [g * takeSelf, g * (1 - takeSelf)]
        }
    }

    /// The smaller of each pair of elements, with broadcasting; NaN wins. The gradient goes to the smaller
    /// side (to `self` on ties).
    public func minimum(_ other: Tensor) -> Tensor {
        let result = Tensor.combining(self, other, .minimum, name: "minimum")
        return result.recorded("minimum", self, other) { [self] g in
            let takeSelf = self .<= other
            return [g * takeSelf, g * (1 - takeSelf)]
        }
    }
}

/// Elements of `a` where `condition` is non-zero, of `b` elsewhere, all three broadcast together
/// (PyTorch's `torch.where`, mlx-swift's `which`: `where` is a Swift keyword). The gradient flows to `a` where
/// the condition holds and to `b` elsewhere.
///
/// ```swift
/// let clipped = which(x .> 1, Tensor(1), x)
/// ```
///
/// **Shapes:** `condition`, `a`, `b` broadcast to the result.
public func which(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
    require(condition.dtype == a.dtype && a.dtype == b.dtype,
            "which: dtypes \(condition.dtype), \(a.dtype) and \(b.dtype) differ")
    let ab = Shapes.broadcastOrStop(a.shape, b.shape, op: "which")
    let shape = Shapes.broadcastOrStop(condition.shape, ab, op: "which")
    let out = Tensor(uninitializedShape: shape, dtype: a.dtype)
    let cs = Shapes.broadcastStrides(shape: condition.shape, strides: condition.strides, to: shape)
    let aStrides = Shapes.broadcastStrides(shape: a.shape, strides: a.strides, to: shape)
    let bStrides = Shapes.broadcastStrides(shape: b.shape, strides: b.strides, to: shape)
    Kernels.active.select(a.dtype, shape: shape, out: out.rawPointer, outStrides: out.strides,
                          condition: condition.rawPointer, conditionStrides: cs, a: a.rawPointer, aStrides: aStrides,
                          b: b.rawPointer, bStrides: bStrides)
    let needA = a.requiresGrad, needB = b.requiresGrad
    return out.recorded("which", a, b) { g in
        let zero = Tensor(scalar: 0, dtype: g.dtype)
        return [needA ? which(condition, g, zero) : nil, needB ? which(condition, zero, g) : nil]
    }
}
