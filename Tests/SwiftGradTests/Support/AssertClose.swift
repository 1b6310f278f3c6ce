import Testing
@testable import TensorCore

/// Checks that `actual` has `expected`'s shape, then that every element satisfies
/// |actual − expected| <= absolute + relative · |expected| (NaN matches only NaN).
///
/// Float32 results computed in a different summation order than PyTorch's differ in the last bits, so tests
/// state their tolerance: ~1e-5 relative for single elementwise ops, ~1e-4 for reductions, ~1e-3 for long
/// dot products.
func assertClose(
    _ actual: Tensor, _ expected: Tensor, relative: Double = 1e-5, absolute: Double = 1e-6,
    _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual.shape == expected.shape else {
        Issue.record("shape \(actual.shape) != expected \(expected.shape). \(comment?.rawValue ?? "")",
                     sourceLocation: sourceLocation)
        return
    }
    let a = actual.elements(as: Double.self), e = expected.elements(as: Double.self)
    var worst = 0.0, worstIndex = -1
    for i in 0..<a.count {
        if a[i].isNaN && e[i].isNaN { continue }
        if a[i] == e[i] { continue }
        let excess = Swift.abs(a[i] - e[i]) - (absolute + relative * Swift.abs(e[i]))
        if !(excess <= 0) && (worstIndex < 0 || excess > worst || excess.isNaN) {
            worst = excess
            worstIndex = i
        }
    }
    if worstIndex >= 0 {
        Issue.record("""
            element \(worstIndex): \(a[worstIndex]) vs expected \(e[worstIndex]) \
            (tolerance \(absolute) + \(relative)·|expected|). \(comment?.rawValue ?? "")
            """, sourceLocation: sourceLocation)
    }
}

/// `assertClose` against plain numbers.
func assertClose(
    _ actual: Tensor, shape: [Int], _ expected: [Double], relative: Double = 1e-5, absolute: Double = 1e-6,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    assertClose(actual, Tensor(shape: shape, scalars: expected, dtype: .float64), relative: relative, absolute: absolute,
                sourceLocation: sourceLocation)
}
