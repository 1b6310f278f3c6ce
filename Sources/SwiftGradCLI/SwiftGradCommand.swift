import ArgumentParser
import SwiftGrad

@main
struct SwiftGradCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftgrad",
        abstract: "Deep learning from scratch in Swift: train, evaluate and benchmark.",
        version: SwiftGradVersion.current,
        subcommands: [TrainCommand.self, EvalCommand.self, PredictCommand.self, LessonCommand.self, BenchCommand.self]
    )
}
