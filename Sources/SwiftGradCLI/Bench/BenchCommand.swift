import ArgumentParser
import SwiftGrad

/// `swiftgrad bench ...`: performance measurements in release builds.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure SwiftGrad's speed (build with `swift build -c release`; reports name the kernel family).",
        subcommands: [BenchOps.self, BenchGEMM.self, BenchMatmul.self, BenchAutograd.self, BenchInference.self, BenchConv.self,
                      BenchTrainStep.self, BenchGPT.self, BenchTokenizer.self, BenchEmbed.self]
    )
}

/// Options every benchmark shares.
struct BenchOptions: ParsableArguments {
    @Flag(help: "Print one JSON object {\"results\": [...]} instead of a table.")
    var json = false
}

/// `--threads N`, for every command that runs multithreaded kernels.
struct ThreadsOption: ParsableArguments {
    @Option(help: "Threads (default: all cores).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    /// Sets ``Parallelism/threadCount`` when `--threads` was given.
    func apply() {
        if let threads { Parallelism.threadCount = threads }
    }
}
