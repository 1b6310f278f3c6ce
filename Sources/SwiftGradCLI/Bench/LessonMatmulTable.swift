import Foundation
import SwiftGrad

/// The lesson's matmul table: the five ways to multiply `m1` [5, 784] by `m2` [784, 10], each timed, with its
/// speed-up over the naive loop. Shared by `swiftgrad bench matmul` and `swiftgrad lesson`.
enum LessonMatmulTable {
    static func measure(seed: UInt64) -> BenchReport {
        let generator = RandomGenerator(seed: seed)
        let m1 = Tensor.randn([5, 784], generator: generator)
        let m2 = Tensor.randn([784, 10], generator: generator)
        let variants: [(String, String, (Tensor, Tensor) -> Tensor)] = [
            ("naive", "c[i, j] += a[i, k] * b[k, j]", matmulNaive),
            ("dot", "c[i, j] = (a[i] * b[.all, j]).sum()", matmulDot),
            ("broadcast", "c[i] = (a[i].unsqueezed(axis: -1) * b).sum(axis: 0)", matmulBroadcast),
            ("einsum", "einsum(\"ik,kj->ij\", a, b)", matmulEinsum),
            ("matmul", "a.matmul(b)  (GEMM kernel: \(KernelSettings.family))", { $0.matmul($1) }),
        ]
        var report = BenchReport(columns: ["variant", "code", "median", "speed-up"])
        var naive = 0.0
        for (name, code, variant) in variants {
            let slow = name == "naive" || name == "dot"
            let seconds = Measure.median(warmup: slow ? 1 : 100, minRuns: 3, budget: slow ? 0.3 : 0.2) {
                _ = variant(m1, m2)
            }
            if name == "naive" { naive = seconds }
            report.add(row: [name, code, formatSeconds(seconds), String(format: "%.0f×", naive / seconds)],
                       result: ["name": name, "median_seconds": seconds, "speedup": naive / seconds])
        }
        return report
    }
}
