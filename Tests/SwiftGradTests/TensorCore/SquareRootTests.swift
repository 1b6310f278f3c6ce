@testable import KernelsBaseline
import Testing
@testable import TensorCore

/// `sqrt` goes through an errno-free builtin (so that its loops vectorise); it must still be the IEEE square
/// root that `squareRoot()` is, special values included.
@Suite struct SquareRootTests {
    static let inputs: [Double] = [0, -0.0, 1, 2, 0.25, 1e-30, 3.4e38, .infinity, -1, -.infinity, .nan,
                                   .leastNonzeroMagnitude, 123_456.789]

    /// The same value and sign (so -0 differs from 0), or both NaN.
    static func same<T: BinaryFloatingPoint>(_ a: T, _ b: T) -> Bool { a.isNaN ? b.isNaN : a == b && a.sign == b.sign }

    @Test func matchesSquareRootInBothPrecisions() {
        for x in Self.inputs {
            #expect(Self.same(Float.sqrt(Float(x)), Float(x).squareRoot()), "float \(x)")
            #expect(Self.same(Double.sqrt(x), x.squareRoot()), "double \(x)")
        }
    }

    /// A tensor long enough for the vectorised loop and its tail, special values in both.
    @Test func tensorSqrtMatchesElementByElement() {
        let values = (0..<37).map { Float(Self.inputs[$0 % Self.inputs.count]) }
        let result = Tensor(values).sqrt().scalars
        for (x, y) in zip(values, result) {
            #expect(Self.same(y, x.squareRoot()), "\(x)")
        }
    }
}
