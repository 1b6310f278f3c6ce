import Foundation
import SwiftGrad

/// The lesson's convolution table: the four ways to convolve x [2, 3, 8, 8] with w [4, 3, 3, 3] (padding 1),
/// each timed, with its speed-up over the naive loops, and the largest difference of each from the library's.
enum LessonConvolutionTable {
    static func measure(seed: UInt64) -> (report: BenchReport, largestDifference: Float) {
        let generator = RandomGenerator(seed: seed)
        let x = Tensor.randn([2, 3, 8, 8], generator: generator), w = Tensor.randn([4, 3, 3, 3], generator: generator)
        let variants: [(String, String, (Tensor, Tensor) -> Tensor)] = [
            ("naive", "out[n, o, y, x] += in[n, c, y + i, x + j] * w[o, c, i, j]", { conv2dNaive($0, $1, padding: 1) }),
            ("windows", "out[n, .all, y, x] = (window * w).sum(axes: [1, 2, 3])", { conv2dWindows($0, $1, padding: 1) }),
            ("im2col", "im2col(x).matmul(w as [O, C·kh·kw]ᵀ)", { conv2dIm2col($0, $1, padding: 1) }),
            ("conv2d", "conv2d(x, w, padding: 1)", { conv2d($0, $1, padding: 1) }),
        ]
        let reference = conv2d(x, w, padding: 1)
        var report = BenchReport(columns: ["variant", "code", "median", "speed-up"])
        var (naive, largest) = (0.0, Float(0))
        for (name, code, variant) in variants {
            let seconds = Measure.median(warmup: 1, minRuns: 3, budget: name == "naive" ? 0.3 : 0.2) { _ = variant(x, w) }
            if name == "naive" { naive = seconds }
            largest = Swift.max(largest, (variant(x, w) - reference).abs().max().item())
            report.add(row: [name, code, formatSeconds(seconds), String(format: "%.0f×", naive / seconds)],
                       result: ["name": name, "median_seconds": seconds, "speedup": naive / seconds])
        }
        return (report, largest)
    }
}
