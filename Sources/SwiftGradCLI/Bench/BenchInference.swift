import ArgumentParser
import SwiftGrad

/// `swiftgrad bench inference`: a trained classifier's forward pass, as a server would run it, batch by batch.
struct BenchInference: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inference",
        abstract: "Time an MLP's forward pass without gradients at several batch sizes (compare: bench/inference_pytorch.py)."
    )

    @Option(help: "Layer sizes, input to output, comma-separated (default: the main job's model).")
    var sizes: String = "784,256,128,10"

    @Option(help: "Batch sizes, comma-separated.")
    var batches: String = "1,16,128"

    @OptionGroup var threadsOption: ThreadsOption

    @OptionGroup var options: BenchOptions

    func run() throws {
        threadsOption.apply()
        let layers = try Self.positiveList(sizes, flag: "--sizes", minimumCount: 2)
        let batchSizes = try Self.positiveList(batches, flag: "--batches", minimumCount: 1)
        let generator = RandomGenerator(seed: 0)
        let model = Sequential.multilayerPerceptron(layers, generator: generator)
        var report = BenchReport(columns: ["batch", "median", "per image", "images/s"])
        for batch in batchSizes {
            let input = Tensor.randn([batch, layers[0]], generator: generator)
            let seconds = Measure.median(warmup: 20, minRuns: 20, budget: 0.5) {
                _ = withoutGradient { model(input) }
            }
            report.add(row: [String(batch), formatSeconds(seconds), formatSeconds(seconds / Double(batch)),
                             String(format: "%.0f", Double(batch) / seconds)],
                       result: ["name": "mlp_inference", "sizes": layers, "batch": batch, "median_seconds": seconds,
                                "threads": Parallelism.threadCount])
        }
        report.print(json: options.json)
    }

    /// The positive integers of a comma-separated option (`parseSizes`), at least `minimumCount` of them.
    static func positiveList(_ text: String, flag: String, minimumCount: Int) throws -> [Int] {
        guard let values = try? parseSizes(text), values.count >= minimumCount else {
            let count = minimumCount > 1 ? "at least \(minimumCount) " : ""
            throw ValidationError("\(flag) must be \(count)positive integers separated by commas, got '\(text)'")
        }
        return values
    }
}
