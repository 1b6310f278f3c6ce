import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad lr-find`: the learning-rate range test for the model `swiftgrad train` would train with the same
/// options.
struct LRFindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lr-find",
        abstract: "Sweep the learning rate up exponentially over a few hundred batches and suggest one (writes lr-find.svg).",
        discussion: """
            Builds the model, data and optimizer exactly as `swiftgrad train` with the same options would, trains on \
            successive batches with the rate rising from --start to --end until the loss diverges, and prints the \
            rate where the loss falls fastest. Nothing is saved but the picture: the weights are put back.
            """
    )

    @OptionGroup var options: RunOptions

    @OptionGroup var threadsOption: ThreadsOption

    @Option(help: "The first rate tried.")
    var start: Float = 1e-7

    @Option(help: "The last rate tried.")
    var end: Float = 10

    @Option(help: "Batches over which the rate rises from --start to --end.")
    var steps = 200

    @Option(help: "Output folder for lr-find.svg.")
    var out: String = "runs/lr-find"

    func validate() throws {
        try options.validate(resuming: false)
        if options.arch == .gpt { throw ValidationError("lr-find takes the image classifiers (--arch mlp or cnn), not gpt") }
        guard start > 0, end > start, start.isFinite, end.isFinite else {
            throw ValidationError("--start and --end must be positive with --start below --end, got \(start) and \(end)")
        }
        guard steps >= 10 else { throw ValidationError("--steps must be at least 10, got \(steps)") }
    }

    func run() throws {
        threadsOption.apply()
        let dataset = options.dataset ?? TrainDefaults.dataset
        let (source, train, test, normalization, classes) = try RunOptions.loadData(folder: options.data, dataset: dataset,
                                                                                      limit: options.limit)
        let settings = try options.newRunSettings(train: train, classes: classes)
        try MemoryEstimate(settings, imageSize: Size2D(train.rows, train.columns)).check()
        let folder = URL(fileURLWithPath: out)
        let run = try TrainingRun(settings: settings, train: train, test: test, normalization: normalization,
                                  folder: RunFolder(url: folder), live: false)
        print("data: \(source)")
        print("model: \(run.spec.description) (\(run.model.parameterCount) parameters)")
        print("optimizer: \(settings.optimizer.displayName), batches of \(settings.batchSize), rates \(start) to \(end) over \(steps) batches")
        let search = try run.learner.findLearningRate(from: start, to: end, steps: steps)
        try AtomicFile.createFolder(folder)
        let picture = folder.appendingPathComponent("lr-find.svg")
        try search.write(to: picture)
        let stopped = search.rates.count < steps
            ? String(format: "the loss diverged at %.3g", search.rates.last ?? 0) : "the loss did not diverge up to --end"
        print(String(format: "suggested learning rate: %.3g (where the loss falls fastest); %@", search.suggestion, stopped))
        print("curve: \(picture.path)")
    }
}
