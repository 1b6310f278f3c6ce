import ArgumentParser
import Foundation
import SwiftGrad

@main
struct SwiftGradCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftgrad",
        abstract: "Deep learning from scratch in Swift: train, generate, evaluate, run the lesson, benchmark.",
        version: "\(SwiftGradVersion.current), kernels: \(KernelSettings.family) (\(KernelSettings.family.level))",
        subcommands: [TrainCommand.self, GenerateCommand.self, EmbedCommand.self, SearchCommand.self, LRFindCommand.self, EvalCommand.self, PredictCommand.self, LessonCommand.self, BenchCommand.self, DownloadCommand.self]
    )

    /// Runs the command; every error becomes one line on standard error and a non-zero exit status (no usage
    /// dump, no stack trace).
    static func main() {
        do {
            var command = try parseAsRoot()
            // Chooses the kernel family now, so that a bad SWIFTGRAD_KERNEL is reported before any output.
            _ = KernelFamily.best
            try command.run()
        } catch let stopped as TrainingStopped {
            FileHandle.standardError.write(Data("swiftgrad: \(stopped.message)\n".utf8))
            Foundation.exit(stopped.code)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("swiftgrad: \(message)\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}
