import FloatIntrinsics
import Foundation
import KernelSupport

/// `Float` or `Double` as the kernels compute on them, with the elementary functions compiled for this level:
/// a float's `exp`, `log` and `tanh` are the same polynomials as the 16-lane loops run (`ElementaryFunctions`),
/// so an element gets the same bits whichever loop reaches it.
protocol KernelScalar: TensorScalar {
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
    /// The error function, 2/√π ∫₀ˣ e^(−t²) dt: for floats the approximation GELU's vector loops use
    /// (`ElementaryFunctions.erf`), for doubles libm's.
    static func erf(_ x: Self) -> Self
    /// GELU's slope Φ(x) + x·φ(x): for floats the vector loops' (`ElementaryFunctions.geluSlope`), for doubles
    /// libm's erf and exp.
    static func geluSlope(_ x: Self) -> Self
}

extension Float: KernelScalar {
    @inline(__always) static func exp(_ x: Float) -> Float { ElementaryFunctions.exp(x) }
    @inline(__always) static func log(_ x: Float) -> Float { ElementaryFunctions.log(x) }
    @inline(__always) static func sqrt(_ x: Float) -> Float { swiftgrad_sqrtf(x) }
    @inline(__always) static func tanh(_ x: Float) -> Float { ElementaryFunctions.tanh(x) }
    @inline(__always) static func pow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
    @inline(__always) static func erf(_ x: Float) -> Float { ElementaryFunctions.erf(x) }
    @inline(__always) static func geluSlope(_ x: Float) -> Float { ElementaryFunctions.geluSlope(x) }
}

extension Double: KernelScalar {
    @inline(__always) static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inline(__always) static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inline(__always) static func sqrt(_ x: Double) -> Double { swiftgrad_sqrt(x) }
    @inline(__always) static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inline(__always) static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
    @inline(__always) static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    @inline(__always) static func geluSlope(_ x: Double) -> Double {
        0.5 * (1 + Foundation.erf(x * 0.5.squareRoot())) + x * Foundation.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
    }
}
