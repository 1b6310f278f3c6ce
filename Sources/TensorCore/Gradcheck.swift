/// The outcome of ``gradcheck(_:inputs:epsilon:absoluteTolerance:relativeTolerance:)``.
public struct GradcheckResult: CustomStringConvertible, Sendable {
    /// Whether every analytic gradient element matched its finite difference within tolerance.
    public let passed: Bool
    /// The largest of |analytic − numeric| − (absolute + relative·|numeric|) over all elements (≤ 0 passes).
    public let worstExcess: Double
    /// Where the worst element is, and its two values.
    public let description: String
}

/// Checks the gradients autograd computes for `function` against central finite differences, in float64.
///
/// Each input is copied to a contiguous float64 leaf. The function's output is reduced to a scalar with fixed
/// random weights (so every element of the Jacobian counts), `backward()` gives the analytic gradient, and each
/// input element is perturbed by ±`epsilon` to give the numeric one: (f(x + ε) − f(x − ε)) / 2ε, whose error is
/// O(ε²) from truncation plus O(1e-16/ε) from rounding — about 1e-10 at the default ε = 1e-6.
///
/// An element passes when |analytic − numeric| ≤ `absoluteTolerance` + `relativeTolerance` · |numeric|.
/// The defaults (1e-6 and 1e-4) are far above float64's error and far below any real mistake in a pullback,
/// which shows up at order 1. Keep inputs away from kinks (relu at 0, ties of `max`), where the derivative
/// does not exist.
///
/// - Parameters:
///   - function: the computation, from the inputs (in order) to a tensor of any shape.
///   - inputs: example inputs; their values are used, not their dtype or layout. To check a strided or
///     broadcast path, build the view inside `function`.
///   - epsilon: the step of the central differences.
///   - absoluteTolerance: the difference allowed at every element.
///   - relativeTolerance: the difference allowed in proportion to the numerical gradient's magnitude.
/// - Returns: whether it passed, and the worst element.
public func gradcheck(
    _ function: ([Tensor]) -> Tensor, inputs: [Tensor],
    epsilon: Double = 1e-6, absoluteTolerance: Double = 1e-6, relativeTolerance: Double = 1e-4
) -> GradcheckResult {
    let leaves = inputs.map { $0.to(.float64).copied().requiringGrad() }
    let probe = withoutGradient { function(leaves) }
    let weights = Tensor.randn(probe.shape, dtype: .float64, generator: RandomGenerator(seed: 12_345))
    func scalar(_ output: Tensor) -> Tensor { (output.to(.float64) * weights).sum() }

    scalar(function(leaves)).backward()
    var worst = -Double.infinity
    var report = "no input elements"
    for (index, leaf) in leaves.enumerated() {
        let analytic = leaf.grad?.elements(as: Double.self) ?? [Double](repeating: 0, count: leaf.count)
        let values = leaf.pointer(Double.self)
        for element in 0..<leaf.count {
            let saved = values[element]
            values[element] = saved + epsilon
            let plus = withoutGradient { scalar(function(leaves)).elements(as: Double.self)[0] }
            values[element] = saved - epsilon
            let minus = withoutGradient { scalar(function(leaves)).elements(as: Double.self)[0] }
            values[element] = saved
            let numeric = (plus - minus) / (2 * epsilon)
            let excess = Swift.abs(analytic[element] - numeric) - (absoluteTolerance + relativeTolerance * Swift.abs(numeric))
            if excess > worst || excess.isNaN {
                worst = excess.isNaN ? .infinity : excess
                report = "input \(index) element \(element): analytic \(analytic[element]), numeric \(numeric)"
            }
        }
    }
    return GradcheckResult(passed: worst <= 0, worstExcess: worst,
                           description: (worst <= 0 ? "passed; closest: " : "FAILED; worst: ") + report)
}
