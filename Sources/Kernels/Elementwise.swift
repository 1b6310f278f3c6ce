import KernelSupport
// Each elementwise function is a small struct, so that the loops below are specialised per function and
// the function is inlined into them and vectorised. (Passing closures instead left one indirect call per
// element: measured 10 ns per element for exp against 0.5 ns.) A new op is its case of `UnaryOp` or `BinaryOp`
// (KernelSupport), its struct here, written once for both element types, and its arm in `UnaryKernel` or
// `BinaryKernel`: the loops, the strides, the threads and the dtype dispatch take any function.

/// A function of one element.
protocol UnaryFunction {
    func callAsFunction<T: KernelScalar>(_ x: T) -> T
    /// `out[i] = f(a[i])` for `n` contiguous floats.
    func applyToContiguous(_ n: Int, _ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>)
}

extension UnaryFunction {
    /// A plain loop, which the compiler vectorises.
    @inline(__always)
    func applyToContiguous(_ n: Int, _ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>) {
        for i in 0..<n { out[i] = self(a[i]) }
    }
}

/// A unary function that is also written for 16 floats at once: the elementary functions (see `FloatLanes`),
/// whose loops the compiler would vectorise at only 256 bits on Intel CPUs.
protocol LaneFunction: UnaryFunction {
    func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float>
}

extension LaneFunction {
    /// 16 lanes at a time, then the remainder one by one (the same bits either way).
    @inline(__always)
    func applyToContiguous(_ n: Int, _ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>) {
        var i = 0
        while i &+ 16 <= n {
            let x = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: self(x), as: SIMD16<Float>.self)
            i &+= 16
        }
        while i < n {
            out[i] = self(a[i])
            i &+= 1
        }
    }
}

/// A function of two elements.
protocol BinaryFunction {
    func callAsFunction<T: KernelScalar>(_ x: T, _ y: T) -> T
    /// `out[i] = f(a[i], b[i])` for `n` contiguous floats.
    func applyToContiguous(_ n: Int, _ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>)
}

extension BinaryFunction {
    /// A plain loop, which the compiler vectorises.
    @inline(__always)
    func applyToContiguous(_ n: Int, _ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>) {
        for i in 0..<n { out[i] = self(a[i], b[i]) }
    }
}

/// A binary function also written for 16 floats at once (through the elementary functions), for the same reason as
/// ``LaneFunction``.
protocol LaneBinaryFunction: BinaryFunction {
    func callAsFunction(_ x: SIMD16<Float>, _ y: SIMD16<Float>) -> SIMD16<Float>
}

extension LaneBinaryFunction {
    /// 16 lanes at a time, then the remainder one by one.
    @inline(__always)
    func applyToContiguous(_ n: Int, _ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>) {
        var i = 0
        while i &+ 16 <= n {
            let x = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
            let y = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: self(x, y), as: SIMD16<Float>.self)
            i &+= 16
        }
        while i < n {
            out[i] = self(a[i], b[i])
            i &+= 1
        }
    }
}

private struct Identity: UnaryFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T) -> T { x }
}
private struct Negate: UnaryFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T) -> T { -x }
}
private struct Exp: LaneFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T) -> T { T.exp(x) }
    @inline(__always) func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> { ElementaryFunctions.exp(x) }
}
private struct Log: LaneFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T) -> T { T.log(x) }
    @inline(__always) func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> { ElementaryFunctions.log(x) }
}
private struct SquareRoot: UnaryFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T) -> T { T.sqrt(x) }
}
private struct Absolute: UnaryFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T) -> T { Swift.abs(x) }
}
// `x < 0 ? 0 : x` keeps NaN, as PyTorch's relu does, where `max(x, 0)` would not.
private struct Relu: UnaryFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T) -> T { x < 0 ? 0 : x }
}
// Neither branch overflows: for x < 0 it is e^x / (1 + e^x).
private struct Sigmoid: UnaryFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T) -> T {
        let e: T = T.exp(-Swift.abs(x))
        let positive: T = 1 / (1 + e)
        let negative: T = e * positive
        return x >= 0 ? positive : negative
    }
}
/// e^(x − shift): a softmax's numerators.
struct ShiftedExp: LaneFunction {
    let shift: Double
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T) -> T { T.exp(x - T(shift)) }
    @inline(__always) func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> {
        ElementaryFunctions.exp(x - Float(shift))
    }
}
private struct HyperbolicTangent: LaneFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T) -> T { T.tanh(x) }
    @inline(__always) func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> { ElementaryFunctions.tanh(x) }
}
// x·(erf(x/√2) + 1)·0.5, or x·(tanh(√(2/π)·(x + 0.044715·x³)) + 1)·0.5, as PyTorch's `gelu(approximate=)`; the
// scalar form computes in the lanes' order, so both give the same bits.
private struct GELU: LaneFunction {
    let approximation: GELUApproximation
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T) -> T {
        switch approximation {
        case .none: return x * (T.erf(x * T(GELUConstants.rootHalf)) + 1) * 0.5
        case .tanh: return x * (T.tanh((x * x * x * T(GELUConstants.cubic) + x) * T(GELUConstants.tanhScale)) + 1) * 0.5
        }
    }
    @inline(__always) func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> {
        approximation == .none ? ElementaryFunctions.gelu(x) : ElementaryFunctions.geluTanh(x)
    }
}
// g·(Φ(x) + x·φ(x)) exact; for the tanh form with t = tanh(u), u = k·(x + c·x³):
// g·(0.5·(1 + t) + 0.5·x·(1 − t²)·k·(1 + 3c·x²)).
private struct GELUGradient: LaneBinaryFunction {
    let approximation: GELUApproximation
    @inline(__always) func callAsFunction<T: KernelScalar>(_ g: T, _ x: T) -> T {
        switch approximation {
        case .none:
            return g * T.geluSlope(x)
        case .tanh:
            let k = T(GELUConstants.tanhScale), c = T(GELUConstants.cubic)
            let t = T.tanh((x * x * x * c + x) * k)
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * c * x * x))
        }
    }
    @inline(__always) func callAsFunction(_ g: SIMD16<Float>, _ x: SIMD16<Float>) -> SIMD16<Float> {
        switch approximation {
        case .none:
            return g * ElementaryFunctions.geluSlope(x)
        case .tanh:
            let (k, c) = (Float(GELUConstants.tanhScale), Float(GELUConstants.cubic))
            let squared: SIMD16<Float> = x * x
            let t: SIMD16<Float> = ElementaryFunctions.tanh((squared * x * c + x) * k)
            let slope: SIMD16<Float> = (1 - t * t) * (squared * (3 * c) + 1) * (x * (0.5 * k))
            return g * ((t + 1) * 0.5 + slope)
        }
    }
}
private enum GELUConstants {
    static let rootHalf = 0.5.squareRoot()
    static let tanhScale = (2 / Double.pi).squareRoot()
    static let cubic = 0.044715
}
private struct Square: UnaryFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T) -> T { x * x }
}
private struct Cube: UnaryFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T) -> T { x * x * x }
}
private struct Reciprocal: UnaryFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T) -> T { 1 / x }
}
private struct ReciprocalSquare: UnaryFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T) -> T { 1 / (x * x) }
}
private struct ReciprocalSquareRoot: UnaryFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T) -> T { 1 / T.sqrt(x) }
}
private struct Power: UnaryFunction {
    let exponent: Double
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T) -> T { T.pow(x, T(exponent)) }
}
private struct Clamp: UnaryFunction {
    let low: Double, high: Double
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T) -> T {
        let lo = T(low), hi = T(high)
        return x < lo ? lo : (x > hi ? hi : x)
    }
}

private struct Add: BinaryFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T, _ y: T) -> T { x + y }
}
private struct Subtract: BinaryFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T, _ y: T) -> T { x - y }
}
private struct Multiply: BinaryFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T, _ y: T) -> T { x * y }
}
private struct Divide: BinaryFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T, _ y: T) -> T { x / y }
}
private struct PassWherePositive: BinaryFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T, _ y: T) -> T { y > 0 ? x : 0 }
}
private struct PassWithin: BinaryFunction {
    let low: Double, high: Double
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T, _ y: T) -> T { y >= T(low) && y <= T(high) ? x : 0 }
}
private struct PowerOf: BinaryFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T, _ y: T) -> T { T.pow(x, y) }
}
// NaN wins in both, whichever side it is on, as in PyTorch's maximum/minimum.
private struct Maximum: BinaryFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T, _ y: T) -> T { x.isNaN || x > y ? x : y }
}
private struct Minimum: BinaryFunction {
    @inline(__always) func callAsFunction<T: KernelScalar>(_ x: T, _ y: T) -> T { x.isNaN || x < y ? x : y }
}
/// One row of a unary op: `out[i] = f(a[i])`; the contiguous case is a loop that the compiler vectorises (or, for
/// floats, the function's own `applyToContiguous`).
@inline(__always)
func unaryRow<T: KernelScalar, F: UnaryFunction>(
    _ f: F, _ n: Int, _ out: UnsafeMutablePointer<T>, _ so: Int, _ a: UnsafePointer<T>, _ sa: Int
) {
    if so == 1 && sa == 1 && T.self == Float.self {
        f.applyToContiguous(n, UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self),
                            UnsafeRawPointer(a).assumingMemoryBound(to: Float.self))
    } else if so == 1 && sa == 1 {
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
private func binaryRow<T: KernelScalar, F: BinaryFunction>(
    _ f: F, _ n: Int, _ out: UnsafeMutablePointer<T>, _ so: Int,
    _ a: UnsafePointer<T>, _ sa: Int, _ b: UnsafePointer<T>, _ sb: Int
) {
    if so == 1 && sa == 1 && sb == 1 && T.self == Float.self {
        f.applyToContiguous(n, UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self),
                            UnsafeRawPointer(a).assumingMemoryBound(to: Float.self),
                            UnsafeRawPointer(b).assumingMemoryBound(to: Float.self))
    } else if so == 1 && sa == 1 && sb == 1 {
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

private func runUnary<T: KernelScalar, F: UnaryFunction>(
    _ f: F, _ layout: StridedLayout, _ out: UnsafeMutablePointer<T>, _ a: UnsafePointer<T>
) {
    layout.forEachPiece { piece, start in
        let (out, a) = (out + layout.offset(ofOuter: start, operand: 0), a + layout.offset(ofOuter: start, operand: 1))
        piece.forEachRow { offsets, n, s in unaryRow(f, n, out + offsets[0], s[0], a + offsets[1], s[1]) }
    }
}

private func runBinary<T: KernelScalar, F: BinaryFunction>(
    _ f: F, _ layout: StridedLayout, _ out: UnsafeMutablePointer<T>, _ a: UnsafePointer<T>,
    _ b: UnsafePointer<T>
) {
    layout.forEachPiece { piece, start in
        let out = out + layout.offset(ofOuter: start, operand: 0)
        let (a, b) = (a + layout.offset(ofOuter: start, operand: 1), b + layout.offset(ofOuter: start, operand: 2))
        piece.forEachRow { offsets, n, s in
            binaryRow(f, n, out + offsets[0], s[0], a + offsets[1], s[1], b + offsets[2], s[2])
        }
    }
}

/// Writes `op(a)` into `out`, both of `shape`, each read through its own strides.
struct UnaryKernel: ScalarKernel {
    let op: UnaryOp, shape: [Int], out: UnsafeMutableRawPointer, outStrides: [Int], a: UnsafeRawPointer, aStrides: [Int]

    func run<T: KernelScalar>(_: T.Type) {
        let (out, a) = (self.out.typed(T.self), self.a.typed(T.self))
        let layout = StridedLayout(shape: shape, strides: [outStrides, aStrides])
        switch op {
        case .copy: runUnary(Identity(), layout, out, a)
        case .negate: runUnary(Negate(), layout, out, a)
        case .exp: runUnary(Exp(), layout, out, a)
        case .log: runUnary(Log(), layout, out, a)
        case .sqrt: runUnary(SquareRoot(), layout, out, a)
        case .abs: runUnary(Absolute(), layout, out, a)
        case .relu: runUnary(Relu(), layout, out, a)
        case .sigmoid: runUnary(Sigmoid(), layout, out, a)
        case .tanh: runUnary(HyperbolicTangent(), layout, out, a)
        case .gelu(let approximation): runUnary(GELU(approximation: approximation), layout, out, a)
        case .power(let p):
            // The exponents PyTorch's pow also computes by multiplication and square roots; the others call libm's
            // pow per element.
            switch p {
            case 1: runUnary(Identity(), layout, out, a)
            case 2: runUnary(Square(), layout, out, a)
            case 3: runUnary(Cube(), layout, out, a)
            case 0.5: runUnary(SquareRoot(), layout, out, a)
            case -0.5: runUnary(ReciprocalSquareRoot(), layout, out, a)
            case -1: runUnary(Reciprocal(), layout, out, a)
            case -2: runUnary(ReciprocalSquare(), layout, out, a)
            default: runUnary(Power(exponent: p), layout, out, a)
            }
        case .clamp(let lo, let hi): runUnary(Clamp(low: lo, high: hi), layout, out, a)
        }
    }
}

/// Writes `op(a, b)` into `out`; `a` and `b` are read through strides broadcast to `shape` (0 on broadcast axes).
struct BinaryKernel: ScalarKernel {
    let op: BinaryOp, shape: [Int], out: UnsafeMutableRawPointer, outStrides: [Int], a: UnsafeRawPointer,
        aStrides: [Int], b: UnsafeRawPointer, bStrides: [Int]

    func run<T: KernelScalar>(_: T.Type) {
        let (out, a, b) = (self.out.typed(T.self), self.a.typed(T.self), self.b.typed(T.self))
        let layout = StridedLayout(shape: shape, strides: [outStrides, aStrides, bStrides])
        switch op {
        case .add: runBinary(Add(), layout, out, a, b)
        case .subtract: runBinary(Subtract(), layout, out, a, b)
        case .multiply: runBinary(Multiply(), layout, out, a, b)
        case .divide: runBinary(Divide(), layout, out, a, b)
        case .power: runBinary(PowerOf(), layout, out, a, b)
        case .maximum: runBinary(Maximum(), layout, out, a, b)
        case .minimum: runBinary(Minimum(), layout, out, a, b)
        case .passWherePositive: runBinary(PassWherePositive(), layout, out, a, b)
        case .passWithin(let low, let high): runBinary(PassWithin(low: low, high: high), layout, out, a, b)
        case .geluGradient(let approximation): runBinary(GELUGradient(approximation: approximation), layout, out, a, b)
        }
    }
}

/// Writes whether `comparison` holds for each pair of `a` and `b` into `out`, one byte (1 or 0) per element, all
/// three read through strides broadcast to `shape`. One loop per comparison, each specialised (with the
/// comparison passed as a closure, each element cost a call: 3.3 ns).
struct CompareKernel: ScalarKernel {
    let comparison: Comparison, shape: [Int], out: UnsafeMutableRawPointer, outStrides: [Int], a: UnsafeRawPointer,
        aStrides: [Int], b: UnsafeRawPointer, bStrides: [Int]

    func run<T: KernelScalar>(_: T.Type) {
        switch comparison {
        case .equal: rows(T.self, Equal.self)
        case .notEqual: rows(T.self, NotEqual.self)
        case .less: rows(T.self, Less.self)
        case .lessEqual: rows(T.self, LessEqual.self)
        case .greater: rows(T.self, Greater.self)
        case .greaterEqual: rows(T.self, GreaterEqual.self)
        }
    }

    @inline(__always)
    private func rows<T: KernelScalar, C: ElementComparison>(_: T.Type, _: C.Type) {
        let (out, a, b) = (self.out.typed(UInt8.self), self.a.typed(T.self), self.b.typed(T.self))
        let layout = StridedLayout(shape: shape, strides: [outStrides, aStrides, bStrides])
        layout.forEachPiece { piece, start in
            let out = out + layout.offset(ofOuter: start, operand: 0)
            let (a, b) = (a + layout.offset(ofOuter: start, operand: 1), b + layout.offset(ofOuter: start, operand: 2))
            piece.forEachRow { offsets, n, s in
                var io = offsets[0], ia = offsets[1], ib = offsets[2]
                for _ in 0..<n {
                    out[io] = C.holds(a[ia], b[ib]) ? 1 : 0
                    io &+= s[0]
                    ia &+= s[1]
                    ib &+= s[2]
                }
            }
        }
    }
}

/// One of the six comparisons, as a type (see `CompareKernel`).
private protocol ElementComparison {
    static func holds<T: KernelScalar>(_ x: T, _ y: T) -> Bool
}
private enum Equal: ElementComparison {
    @inline(__always) static func holds<T: KernelScalar>(_ x: T, _ y: T) -> Bool { x == y }
}
private enum NotEqual: ElementComparison {
    @inline(__always) static func holds<T: KernelScalar>(_ x: T, _ y: T) -> Bool { x != y }
}
private enum Less: ElementComparison {
    @inline(__always) static func holds<T: KernelScalar>(_ x: T, _ y: T) -> Bool { x < y }
}
private enum LessEqual: ElementComparison {
    @inline(__always) static func holds<T: KernelScalar>(_ x: T, _ y: T) -> Bool { x <= y }
}
private enum Greater: ElementComparison {
    @inline(__always) static func holds<T: KernelScalar>(_ x: T, _ y: T) -> Bool { x > y }
}
private enum GreaterEqual: ElementComparison {
    @inline(__always) static func holds<T: KernelScalar>(_ x: T, _ y: T) -> Bool { x >= y }
}

/// Writes `condition ? a : b` into `out` (the condition one byte per element), all four read through strides
/// broadcast to `shape`.
struct SelectKernel: ScalarKernel {
    let shape: [Int], out: UnsafeMutableRawPointer, outStrides: [Int], condition: UnsafeRawPointer,
        conditionStrides: [Int], a: UnsafeRawPointer, aStrides: [Int], b: UnsafeRawPointer, bStrides: [Int]

    func run<T: KernelScalar>(_: T.Type) {
        let (out, condition, a, b) = (self.out.typed(T.self), self.condition.typed(UInt8.self), self.a.typed(T.self), self.b.typed(T.self))
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
}
