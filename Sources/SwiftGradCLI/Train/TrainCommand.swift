import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad train`: trains a classifier (an MLP, or the CNN preset) on an MNIST-format dataset, or with
/// `--arch gpt` a character-level language model on a text.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an MLP classifier on Fashion-MNIST (or MNIST, KMNIST) and report test accuracy; or, with --arch gpt, a character-level GPT on a text.",
        discussion: """
            Data comes from --data DIR, else the Debian package dataset-fashion-mnist \
            (/usr/share/datasets/fashion-mnist), else the sample bundled with SwiftGrad. Writes model.safetensors \
            (loadable by PyTorch), training-state.safetensors, metrics.json and curves.svg to --out. \
            Ctrl-C saves a checkpoint; --resume continues from it.
            """
    )

    @OptionGroup var options: RunOptions

    @OptionGroup(title: "Language model options") var languageModel: LanguageModelOptions

    @OptionGroup var threadsOption: ThreadsOption

    @Option(help: "Output folder.")
    var out: String = "runs/latest"

    @Flag(help: "Continue the run saved in --out, with its own settings (options given must agree with them).")
    var resume = false

    @Flag(help: "Print a JSON summary as the last line.")
    var json = false

    func validate() throws {
        if trainsLanguageModel { return try validateLanguageModelOptions() }
        try options.validate(resuming: resume)
        if let flag = languageModel.given.first { throw ValidationError("\(flag) applies to --arch gpt only") }
    }

    func run() throws {
        threadsOption.apply()
        if trainsLanguageModel { return try trainLanguageModel() }
        let communicator = try Launch.communicator()
        Interrupt.install(terminateToo: communicator.worldSize > 1)
        try Launch.run(communicator) { try train(communicator) }
    }

    /// The run, as one process of `communicator`'s job (rank 0 alone prints).
    private func train(_ communicator: Communicator) throws {
        let say = { (line: String) in if communicator.isRoot { print(line) } }
        let folder = RunFolder(url: URL(fileURLWithPath: out))
        let saved = resume ? try folder.loadSettings() : nil
        if let saved { try options.checkAgreement(with: saved) }
        let dataset = saved?.dataset ?? options.dataset ?? TrainDefaults.dataset
        let (source, train, test, normalization, classes) = try RunOptions.loadData(
            folder: options.data ?? saved?.data, dataset: dataset, limit: saved.map { $0.limit } ?? options.limit)

        let run: TrainingRun
        let imageSize = Size2D(train.rows, train.columns)
        let live = !json && isatty(2) == 1
        if let saved {
            try MemoryEstimate(saved, imageSize: imageSize).check()
            run = try TrainingRun(resuming: saved, folder: folder, train: train, test: test, normalization: normalization,
                                  live: live, communicator: communicator)
        } else {
            let settings = try options.newRunSettings(train: train, classes: classes)
            try MemoryEstimate(settings, imageSize: imageSize).check()
            run = try TrainingRun(settings: settings, train: train, test: test, normalization: normalization,
                                  folder: folder, live: live, communicator: communicator)
        }
        let settings = run.settings
        if run.spec.architecture == .cnn {
            // A CNN step reuses its large buffers within 96 MB of cached storage: the default 256 MB kept 130 MB
            // more at the peak for the same epoch time, and less cache costs time in fresh pages (the preset, 2
            // threads, one epoch: 64 MB 15.2 s and 249 MB, 96 MB 14.6 s and 278 MB, 128 MB 14.0 s and 286 MB; the
            // whole run peaked at 295 MB with 96 MB, and at 337 MB with 128 MB).
            StorageCache.limit = 96 << 20
        }
        say("data: \(source)")
        say("train: \(train.count) images, test: \(test.count) images, \(classes) classes")
        say("model: \(run.spec.description) (\(run.model.parameterCount) parameters)")
        say("training: \(settings.description)")
        let processes = communicator.worldSize > 1 ? "processes: \(communicator.worldSize) (MPI), batches of \(settings.batchSize) split between them; " : ""
        say("\(processes)threads: \(Parallelism.threadCount), GEMM kernel: \(KernelSettings.family)")
        if saved != nil {
            let learner = run.learner
            say(learner.epoch < settings.epochs
                ? "resuming at epoch \(learner.epoch + 1), batch \(learner.batchIndex + 1), from \(folder.url.path)"
                : "the saved run in \(folder.url.path) is finished (epoch \(learner.epoch) of \(settings.epochs)); evaluating it")
        }
        try run.fit()
        if let parallel = run.dataParallel, parallel.allReduces > 0 {
            say(String(format: "all-reduce: %.3f ms a step on average (%d steps)", 1000 * parallel.allReduceSeconds / Double(parallel.allReduces),
                       parallel.allReduces))
        }

        let shard = communicator.worldSize > 1 ? Shard(rank: communicator.rank, count: communicator.worldSize) : nil
        let final = ClassificationReport(model: run.model, data: run.spec.evaluationLoader(test, normalization: normalization, shard: shard),
                                         classes: classes).combined(over: communicator)
        say("")
        say(final.table(classNames: classNames(dataset: dataset, classes: classes)))
        say(String(format: "\ntest accuracy %.4f; files in %@", final.accuracy, folder.url.path))
        if json { say(RunMetrics(history: run.learner.history, testAccuracy: final.accuracy).json) }
    }
}
