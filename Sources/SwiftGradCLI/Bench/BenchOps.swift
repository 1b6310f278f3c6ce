import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad bench ops`: elementwise ops and a reduction at memory-bound sizes.
struct BenchOps: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract: "Time add, multiply, exp, log, tanh, a comparison and sum on 1M and 16M float32 elements (compare: bench/ops_numpy.py)."
    )

    @Option(help: "Element counts, comma-separated.")
    var sizes: String = "1048576,16777216"

    @OptionGroup var threadsOption: ThreadsOption
    @OptionGroup var options: BenchOptions

    func run() throws {
        threadsOption.apply()
        let counts = try parseSizes(sizes)
        var report = BenchReport(columns: ["op", "elements", "median", "GB/s"])
        for n in counts {
            let a = Tensor.randn([n]), b = Tensor.randn([n]), positive = a.abs() + 1
            // Bytes moved per element: every input read once and the output written once (a bool is one byte).
            let cases: [(String, Int, () -> Tensor)] = [
                ("add", 12, { a + b }),
                ("multiply", 12, { a * b }),
                ("exp", 8, { a.exp() }),
                ("log", 8, { positive.log() }),
                ("tanh", 8, { a.tanh() }),
                ("greater", 9, { a .> b }),
                ("sum", 4, { a.sum() }),
            ]
            for (name, bytes, op) in cases {
                let seconds = Measure.median(minRuns: 10, budget: 0.5) { _ = op() }
                let gbps = Double(bytes * n) / seconds / 1e9
                report.add(row: [name, "\(n)", formatSeconds(seconds), String(format: "%.1f", gbps)],
                           result: ["name": name, "elements": n, "threads": Parallelism.threadCount,
                                    "median_seconds": seconds, "gb_per_second": gbps])
            }
        }
        report.print(json: options.json)
    }
}

/// Positive integers from `"1,2,3"`, or a validation error naming the bad entry.
func parseSizes(_ text: String) throws -> [Int] {
    try text.split(separator: ",").map { part in
        guard let n = Int(part.trimmingCharacters(in: .whitespaces)), n > 0 else {
            throw ValidationError("'\(part)' is not a positive whole number")
        }
        return n
    }
}
