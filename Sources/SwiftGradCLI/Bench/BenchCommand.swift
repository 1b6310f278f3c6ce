import ArgumentParser

/// `swiftgrad bench ...`: performance measurements in release builds.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure SwiftGrad's speed (build with `swift build -c release -Xcc -march=native`).",
        subcommands: [BenchOps.self, BenchGEMM.self, BenchMatmul.self, BenchAutograd.self]
    )
}

/// Options every benchmark shares.
struct BenchOptions: ParsableArguments {
    @Flag(help: "Print one JSON object {\"results\": [...]} instead of a table.")
    var json = false
}
