import Foundation
import SwiftGrad

/// The lesson's attention table: one causal head of q, k, v [32, 16] four ways, each timed, with its speed-up over
/// the loops, and the largest difference of each from the one before.
enum LessonAttentionTable {
    static func measure(seed: UInt64) -> (report: BenchReport, largestDifference: Float) {
        let generator = RandomGenerator(seed: seed)
        let (q, k, v) = (Tensor.randn([32, 16], generator: generator), Tensor.randn([32, 16], generator: generator),
                         Tensor.randn([32, 16], generator: generator))
        let variants: [(String, String, (Tensor, Tensor, Tensor) -> Tensor)] = [
            ("loops", "s[i, j] += q[i, p] * k[j, p]; softmax; out[i, c] += w[i, j] * v[j, c]", { attentionNaive($0, $1, $2, causal: true) }),
            ("rows", "s[j] = (q[i] * k[j]).sum(); out[i] = (w[:, None] * v).sum(0)", { attentionRows($0, $1, $2, causal: true) }),
            ("matmuls", "softmax(q.matmul(kᵀ) / √d + mask).matmul(v)", { attentionMatmul($0, $1, $2, causal: true) }),
            ("fused", "scaledDotProductAttention(q, k, v, isCausal: true)", { attentionFused($0, $1, $2, causal: true) }),
        ]
        var report = BenchReport(columns: ["variant", "code", "median", "speed-up"])
        var (naive, largest, previous) = (0.0, Float(0), Tensor?.none)
        for (name, code, variant) in variants {
            let seconds = Measure.median(warmup: 1, minRuns: 3, budget: name == "loops" ? 0.3 : 0.2) { _ = variant(q, k, v) }
            if name == "loops" { naive = seconds }
            let result = variant(q, k, v)
            if let previous { largest = Swift.max(largest, (result - previous).abs().max().item()) }
            previous = result
            report.add(row: [name, code, formatSeconds(seconds), String(format: "%.0f×", naive / seconds)],
                       result: ["name": name, "median_seconds": seconds, "speedup": naive / seconds])
        }
        return (report, largest)
    }
}
