import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad train`: trains a multilayer perceptron classifier on an MNIST-format dataset.
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

    @Option(help: "Folder with the dataset's IDX files (train-images-idx3-ubyte.gz, …).")
    var data: String?

    @Option(help: "fashion-mnist, mnist or kmnist: names the classes and, except for fashion-mnist, normalises with the training set's own statistics. (default: \(TrainDefaults.dataset))")
    var dataset: String?

    @Option(help: "mlp, or cnn: blocks of Conv2d 3×3, BatchNorm2d, ReLU and MaxPool2d(2), one per --channels entry, then the --hidden layers. (default: \(TrainDefaults.architecture))")
    var arch: ClassifierArchitecture?

    @Option(help: "A CNN's convolution channels, comma-separated. (default: \(TrainDefaults.channels.map(String.init).joined(separator: ",")))")
    var channels: String?

    @Option(help: "Hidden fully connected layer sizes, comma-separated; empty for none. (default: \(TrainDefaults.hidden(.mlp).map(String.init).joined(separator: ",")) for mlp, \(TrainDefaults.hidden(.cnn).map(String.init).joined(separator: ",")) for cnn)")
    var hidden: String?

    @Option(help: "Random changes to the training images, comma-separated: flip (left to right, half the time), crop (2 pixels of padding, then a random 28×28 window). (default: none)")
    var augment: String?

    @Option(help: "Passes over the training set. (default: \(TrainDefaults.epochs(.mlp)) for mlp, \(TrainDefaults.epochs(.cnn)) for cnn)")
    var epochs: Int?

    @Option(help: "Images per batch. (default: \(TrainDefaults.batchSize))")
    var batchSize: Int?

    @Option(help: "sgd, adam or adamw. (default: \(TrainDefaults.optimizer.rawValue))")
    var optimizer: String?

    @Option(help: "Learning rate (the peak rate for one-cycle). (default: \(TrainDefaults.learningRate(.adamw)) for adam and adamw, \(TrainDefaults.learningRate(.sgd)) for sgd)")
    var lr: Float?

    @Option(help: "SGD momentum, at least 0 and under 1. (default: \(TrainDefaults.momentum))")
    var momentum: Float?

    @Option(help: "Weight decay: decoupled for adamw, an L2 term for sgd and adam. (default: \(TrainDefaults.weightDecay(.adamw)) for adamw, 0 for the others)")
    var weightDecay: Float?

    @Option(help: "constant, one-cycle or cosine. (default: \(TrainDefaults.schedule.rawValue))")
    var schedule: String?

    @Option(help: "Seed of the initial weights and the shuffles. (default: \(TrainDefaults.seed))")
    var seed: UInt64?

    @OptionGroup var threadsOption: ThreadsOption

    @Option(help: "Output folder.")
    var out: String = "runs/latest"

    @Option(help: "Train on the first N training images only.")
    var limit: Int?

    @Flag(help: "Continue the run saved in --out, with its own settings (options given must agree with them).")
    var resume = false

    @Flag(help: "Print a JSON summary as the last line.")
    var json = false

    func validate() throws {
        if let epochs { guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") } }
        if let batchSize {
            guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        }
        if let optimizer, OptimizerKind(rawValue: optimizer) == nil {
            throw ValidationError("--optimizer must be sgd, adam or adamw, got '\(optimizer)'")
        }
        if let schedule, ScheduleKind(rawValue: schedule) == nil {
            throw ValidationError("--schedule must be constant, one-cycle or cosine, got '\(schedule)'")
        }
        if let dataset, !["fashion-mnist", "mnist", "kmnist"].contains(dataset) {
            throw ValidationError("--dataset must be fashion-mnist, mnist or kmnist, got '\(dataset)'")
        }
        if let lr { guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be positive, got \(lr)") } }
        if let momentum {
            guard momentum >= 0, momentum < 1 else { throw ValidationError("--momentum must be at least 0 and under 1, got \(momentum)") }
        }
        if !resume { try checkMomentum(optimizer: optimizer ?? TrainDefaults.optimizer.rawValue) }
        if let dataset, dataset != "fashion-mnist", data == nil, !resume {
            let download = dataset == "mnist" ? "; swiftgrad download mnist --to DIR fetches it" : ""
            throw ValidationError("--dataset \(dataset) needs --data, a folder of its files (without it, the data is Fashion-MNIST\(download))")
        }
        if let limit { guard limit >= 1 else { throw ValidationError("--limit must be at least 1") } }
        if let weightDecay {
            guard weightDecay >= 0, weightDecay.isFinite else { throw ValidationError("--weight-decay must not be negative, got \(weightDecay)") }
        }
        _ = try hiddenSizes()
        if channels != nil && arch != .cnn && !resume { throw ValidationError("--channels applies to --arch cnn only") }
        _ = try channelSizes()
        _ = try augmentation()
    }

    /// The augmentation `--augment` names, or nil when it was not given.
    func augmentation() throws -> Augmentation? {
        guard let augment else { return nil }
        var result = Augmentation.none
        for part in augment.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            switch part {
            case "flip": result.flip = true
            case "crop": result.cropPadding = 2
            default: throw ValidationError("--augment takes flip and crop, comma-separated, got '\(augment)'")
            }
        }
        return result
    }

    /// The sizes of `--channels`, or nil when it was not given.
    func channelSizes() throws -> [Int]? {
        guard let channels else { return nil }
        let sizes = channels.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.count == channels.split(separator: ",").count, sizes.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--channels must be positive sizes separated by commas, got '\(channels)'")
        }
        return sizes
    }

    /// The sizes of `--hidden` (empty for none), or nil when it was not given.
    func hiddenSizes() throws -> [Int]? {
        guard let hidden else { return nil }
        if hidden.trimmingCharacters(in: .whitespaces).isEmpty { return [] }
        return try hidden.split(separator: ",").map {
            guard let size = Int($0.trimmingCharacters(in: .whitespaces)), size > 0 else {
                throw ValidationError("--hidden must be positive sizes separated by commas, got '\(hidden)'")
            }
            return size
        }
    }

    func run() throws {
        threadsOption.apply()
        Interrupt.install()
        let folder = RunFolder(url: URL(fileURLWithPath: out))
        let saved = resume ? try folder.loadSettings() : nil
        if let saved { try checkAgreement(with: saved) }
        let dataset = saved?.dataset ?? self.dataset ?? TrainDefaults.dataset
        let limit = saved.map { $0.limit } ?? self.limit

        let source = DataSource.resolve(data: data ?? saved?.data)
        var train = try source.load(.train)
        let test = try source.load(.test)
        if let limit, limit < train.count { train = train.prefix(limit) }
        let normalization = dataset == "fashion-mnist" ? Normalization.fashionMNIST : Normalization.of(train)
        let classes = Swift.max(train.classCount, test.classCount)

        let run: TrainingRun
        let imageSize = Size2D(train.rows, train.columns)
        let live = !json && isatty(2) == 1
        if let saved {
            try MemoryEstimate(saved, imageSize: imageSize).check()
            run = try TrainingRun(resuming: saved, folder: folder, train: train, test: test, normalization: normalization,
                                  live: live)
        } else {
            let settings = try newRunSettings(train: train, classes: classes)
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
