import ArgumentParser
import SwiftGrad

/// `swiftgrad bench matmul`: the lesson's five matrix multiplications.
struct BenchMatmul: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matmul",
        abstract: "Time the lesson's five ways to multiply 5×784 by 784×10 (compare: bench/lesson_pytorch.py)."
    )

    @Option(help: "Seed of the random matrices.")
    var seed: UInt64 = 0

    @Option(help: "Threads (default: all cores; this product is small enough to run on one).")
    var threads: Int?

    @OptionGroup var options: BenchOptions

    func run() throws {
        if let threads {
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
            Parallelism.threadCount = threads
        }
        LessonMatmulTable.measure(seed: seed).print(json: options.json)
    }
}
