/// An elementwise function of one tensor.
enum UnaryOp {
    case copy, negate, exp, log, sqrt, abs, relu, sigmoid, tanh
    case power(Double)
    case clamp(min: Double, max: Double)
    /// 1 where x > 0, else 0: the derivative of `relu`.
    case positiveMask
}

/// An elementwise function of two broadcast tensors.
enum BinaryOp {
    case add, subtract, multiply, divide, power, maximum, minimum
    case equal, notEqual, less, lessEqual, greater, greaterEqual
}

/// One row of a unary op: `out[i] = f(a[i])`; the contiguous case is a plain loop that the compiler vectorises.
@inline(__always)
private func unaryRow<T: TensorScalar>(
    _ n: Int, _ out: UnsafeMutablePointer<T>, _ so: Int, _ a: UnsafePointer<T>, _ sa: Int, _ f: (T) -> T
) {
    if so == 1 && sa == 1 {
        for i in 0..<n { out[i] = f(a[i]) }
    } else {
        var io = 0, ia = 0
        for _ in 0..<n {
            out[io] = f(a[ia])
            io &+= so
            ia &+= sa
        }
    }
}

/// One row of a binary op, with fast loops for the contiguous and scalar-broadcast cases.
@inline(__always)
private func binaryRow<T: TensorScalar>(
    _ n: Int, _ out: UnsafeMutablePointer<T>, _ so: Int,
    _ a: UnsafePointer<T>, _ sa: Int, _ b: UnsafePointer<T>, _ sb: Int, _ f: (T, T) -> T
) {
    if so == 1 && sa == 1 && sb == 1 {
        for i in 0..<n { out[i] = f(a[i], b[i]) }
    } else if so == 1 && sa == 1 && sb == 0 {
        let y = b[0]
        for i in 0..<n { out[i] = f(a[i], y) }
    } else if so == 1 && sa == 0 && sb == 1 {
        let x = a[0]
        for i in 0..<n { out[i] = f(x, b[i]) }
    } else {
        var io = 0, ia = 0, ib = 0
        for _ in 0..<n {
            out[io] = f(a[ia], b[ib])
            io &+= so
            ia &+= sa
            ib &+= sb
        }
    }
}

@inline(__always)
private func runUnary<T: TensorScalar>(
    _ layout: StridedLayout, _ out: UnsafeMutablePointer<T>, _ a: UnsafePointer<T>, _ f: (T) -> T
) {
    layout.forEachRow { offsets, n, s in unaryRow(n, out + offsets[0], s[0], a + offsets[1], s[1], f) }
}

@inline(__always)
private func runBinary<T: TensorScalar>(
    _ layout: StridedLayout, _ out: UnsafeMutablePointer<T>, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>,
    _ f: (T, T) -> T
) {
    layout.forEachRow { offsets, n, s in
        binaryRow(n, out + offsets[0], s[0], a + offsets[1], s[1], b + offsets[2], s[2], f)
    }
}

/// Writes `op(a)` into `out`, both of `shape`, each read through its own strides.
func unaryKernel<T: TensorScalar>(
    _ op: UnaryOp, shape: [Int],
    out: UnsafeMutablePointer<T>, outStrides: [Int], a: UnsafePointer<T>, aStrides: [Int]
) {
    let layout = StridedLayout(shape: shape, strides: [outStrides, aStrides])
    switch op {
    case .copy: runUnary(layout, out, a) { $0 }
    case .negate: runUnary(layout, out, a) { -$0 }
    case .exp: runUnary(layout, out, a) { T.exp($0) }
    case .log: runUnary(layout, out, a) { T.log($0) }
    case .sqrt: runUnary(layout, out, a) { $0.squareRoot() }
    case .abs: runUnary(layout, out, a) { Swift.abs($0) }
    // `x > 0 ? x : 0` keeps NaN (as PyTorch's relu does) where `max(x, 0)` would not.
    case .relu: runUnary(layout, out, a) { $0 < 0 ? 0 : $0 }
    case .sigmoid:
        // Written so that neither branch overflows: for x < 0, e^x / (1 + e^x).
        runUnary(layout, out, a) { x in
            if x >= 0 { return 1 / (1 + T.exp(-x)) }
            let e = T.exp(x)
            return e / (1 + e)
        }
    case .tanh: runUnary(layout, out, a) { T.tanh($0) }
    case .power(let p):
        let exponent = T(p)
        if p == 2 {
            runUnary(layout, out, a) { $0 * $0 }
        } else if p == 1 {
            runUnary(layout, out, a) { $0 }
        } else if p == 0.5 {
            runUnary(layout, out, a) { $0.squareRoot() }
        } else {
            runUnary(layout, out, a) { T.pow($0, exponent) }
        }
    case .clamp(let lo, let hi):
        let low = T(lo), high = T(hi)
        runUnary(layout, out, a) { $0 < low ? low : ($0 > high ? high : $0) }
    case .positiveMask: runUnary(layout, out, a) { $0 > 0 ? 1 : 0 }
    }
}

/// Writes `op(a, b)` into `out`; `a` and `b` are read through strides broadcast to `shape` (0 on broadcast axes).
func binaryKernel<T: TensorScalar>(
    _ op: BinaryOp, shape: [Int],
    out: UnsafeMutablePointer<T>, outStrides: [Int],
    a: UnsafePointer<T>, aStrides: [Int], b: UnsafePointer<T>, bStrides: [Int]
) {
    let layout = StridedLayout(shape: shape, strides: [outStrides, aStrides, bStrides])
    switch op {
    case .add: runBinary(layout, out, a, b) { $0 + $1 }
    case .subtract: runBinary(layout, out, a, b) { $0 - $1 }
    case .multiply: runBinary(layout, out, a, b) { $0 * $1 }
    case .divide: runBinary(layout, out, a, b) { $0 / $1 }
    case .power: runBinary(layout, out, a, b) { T.pow($0, $1) }
    // NaN wins in both, whichever side it is on, as in PyTorch's maximum/minimum.
    case .maximum: runBinary(layout, out, a, b) { $0.isNaN || $0 > $1 ? $0 : $1 }
    case .minimum: runBinary(layout, out, a, b) { $0.isNaN || $0 < $1 ? $0 : $1 }
    case .equal: runBinary(layout, out, a, b) { $0 == $1 ? 1 : 0 }
    case .notEqual: runBinary(layout, out, a, b) { $0 != $1 ? 1 : 0 }
    case .less: runBinary(layout, out, a, b) { $0 < $1 ? 1 : 0 }
    case .lessEqual: runBinary(layout, out, a, b) { $0 <= $1 ? 1 : 0 }
    case .greater: runBinary(layout, out, a, b) { $0 > $1 ? 1 : 0 }
    case .greaterEqual: runBinary(layout, out, a, b) { $0 >= $1 ? 1 : 0 }
    }
}

/// Writes `condition != 0 ? a : b` into `out`, all four read through strides broadcast to `shape`.
func selectKernel<T: TensorScalar>(
    shape: [Int], out: UnsafeMutablePointer<T>, outStrides: [Int],
    condition: UnsafePointer<T>, conditionStrides: [Int],
    a: UnsafePointer<T>, aStrides: [Int], b: UnsafePointer<T>, bStrides: [Int]
) {
    let layout = StridedLayout(shape: shape, strides: [outStrides, conditionStrides, aStrides, bStrides])
    layout.forEachRow { offsets, n, s in
        var io = offsets[0], ic = offsets[1], ia = offsets[2], ib = offsets[3]
        for _ in 0..<n {
            out[io] = condition[ic] != 0 ? a[ia] : b[ib]
            io &+= s[0]
            ic &+= s[1]
            ia &+= s[2]
            ib &+= s[3]
        }
    }
}
