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

    @OptionGroup var threadsOption: ThreadsOption

    @OptionGroup var options: BenchOptions

    func run() throws {
        threadsOption.apply()
        LessonMatmulTable.measure(seed: seed).print(json: options.json)
    }
}
