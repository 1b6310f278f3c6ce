import ArgumentParser
import SwiftGrad

/// `swiftgrad bench autograd`: one training step's forward and backward pass on the lesson's MLP.
struct BenchAutograd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autograd",
        abstract: "Time forward + backward of the lesson's MLP (200×100 → 50 → ReLU → 1, MSE), zero-grad included (compare: bench/lesson_pytorch.py)."
    )

    @OptionGroup var threadsOption: ThreadsOption

    @OptionGroup var options: BenchOptions

    func run() throws {
        threadsOption.apply()
        let generator = RandomGenerator(seed: 0)
        let (x, y) = Lesson.data(generator: generator)
        let parameters = Lesson.Parameters(generator: generator)
        for p in parameters.all { p.requiresGrad = true }
        let forward = Measure.median(warmup: 100, minRuns: 200, budget: 1) {
            _ = withoutGradient { Lesson.model(x, parameters) }
        }
        let step = Measure.median(warmup: 100, minRuns: 200, budget: 1) {
            for p in parameters.all { p.zeroGrad() }
            Lesson.mse(Lesson.model(x, parameters), y).backward()
        }
        var report = BenchReport(columns: ["benchmark", "median"])
        report.add(row: ["mlp_forward", formatSeconds(forward)], result: ["name": "mlp_forward", "median_seconds": forward])
        report.add(row: ["mlp_forward_backward", formatSeconds(step)],
                   result: ["name": "mlp_forward_backward", "median_seconds": step, "threads": Parallelism.threadCount])
        report.print(json: options.json)
    }
}
