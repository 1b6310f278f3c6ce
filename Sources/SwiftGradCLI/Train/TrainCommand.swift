import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad train`: trains a classifier (an MLP, or the CNN preset) on an MNIST-format dataset.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an MLP classifier on Fashion-MNIST (or MNIST, KMNIST) and report test accuracy.",
        discussion: """
            Data comes from --data DIR, else the Debian package dataset-fashion-mnist \
            (/usr/share/datasets/fashion-mnist), else the sample bundled with SwiftGrad. Writes model.safetensors \
            (loadable by PyTorch), training-state.safetensors, metrics.json and curves.svg to --out. \
            Ctrl-C saves a checkpoint; --resume continues from it.
            """
    )

    @OptionGroup var options: RunOptions

    @OptionGroup var threadsOption: ThreadsOption

    @Option(help: "Output folder.")
    var out: String = "runs/latest"

    @Flag(help: "Continue the run saved in --out, with its own settings (options given must agree with them).")
    var resume = false

    @Flag(help: "Print a JSON summary as the last line.")
    var json = false

    func validate() throws {
        try options.validate(resuming: resume)
    }

    func run() throws {
        threadsOption.apply()
        Interrupt.install()
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
                                  live: live)
        } else {
            let settings = try options.newRunSettings(train: train, classes: classes)
            try MemoryEstimate(settings, imageSize: imageSize).check()
            run = try TrainingRun(settings: settings, train: train, test: test, normalization: normalization,
                                  folder: folder, live: live)
        }
        let settings = run.settings
        if run.spec.architecture == .cnn {
            // A CNN step reuses its large buffers within 96 MB of cached storage: the default 256 MB kept 130 MB
            // more at the peak for the same epoch time, and less cache costs time in fresh pages (the preset, 2
            // threads, one epoch: 64 MB 15.2 s and 249 MB, 96 MB 14.6 s and 278 MB, 128 MB 14.0 s and 286 MB; the
            // whole run peaked at 295 MB with 96 MB, and at 337 MB with 128 MB).
            StorageCache.limit = 96 << 20
        }
        print("data: \(source)")
        print("train: \(train.count) images, test: \(test.count) images, \(classes) classes")
        print("model: \(run.spec.description) (\(run.model.parameterCount) parameters)")
        print("training: \(settings.description)")
        print("threads: \(Parallelism.threadCount), GEMM kernel: \(MatmulSettings.kernel)")
        if saved != nil {
            let learner = run.learner
            print(learner.epoch < settings.epochs
                  ? "resuming at epoch \(learner.epoch + 1), batch \(learner.batchIndex + 1), from \(folder.url.path)"
                  : "the saved run in \(folder.url.path) is finished (epoch \(learner.epoch) of \(settings.epochs)); evaluating it")
        }
        try run.fit()

        let final = ClassificationReport(model: run.model, data: run.spec.evaluationLoader(test, normalization: normalization),
                                         classes: classes)
        print()
        print(final.table(classNames: classNames(dataset: dataset, classes: classes)))
        print(String(format: "\ntest accuracy %.4f; files in %@", final.accuracy, folder.url.path))
        if json { print(RunMetrics(history: run.learner.history, testAccuracy: final.accuracy).json) }
    }
}
