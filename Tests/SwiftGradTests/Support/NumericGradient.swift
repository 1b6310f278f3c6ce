@testable import TensorCore

/// Central differences (ε = 1e-6, float64) of the scalar `f` with respect to every element of `x`, which must
/// be a contiguous float64 tensor; `x` is restored afterwards.
func numericGradient(of f: () -> Double, at x: Tensor, epsilon: Double = 1e-6) -> Tensor {
    precondition(x.dtype == .float64 && x.isContiguous)
    let values = x.pointer(Double.self)
    var result = [Double](repeating: 0, count: x.count)
    for i in 0..<x.count {
        let saved = values[i]
        values[i] = saved + epsilon
        let plus = f()
        values[i] = saved - epsilon
        let minus = f()
        values[i] = saved
        result[i] = (plus - minus) / (2 * epsilon)
    }
    return Tensor(shape: x.shape, scalars: result, dtype: .float64)
}

extension Tensor {
    /// The single element as a Double (for float64 scalar losses in tests).
    var double: Double { elements(as: Double.self)[0] }
}
