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

    @Option(help: "fashion-mnist, mnist or kmnist: names the classes and, except for fashion-mnist, normalises with the training set's own statistics.")
    var dataset: String = "fashion-mnist"

    @Option(help: "Hidden layer sizes, comma-separated.")
    var hidden: String = "256,128"

    @Option(help: "Passes over the training set.")
    var epochs: Int = 15

    @Option(help: "Images per batch.")
    var batchSize: Int = 128

    @Option(help: "sgd, adam or adamw.")
    var optimizer: String = "adamw"

    @Option(help: "Learning rate (the peak rate for one-cycle). Default: 0.003 for adam/adamw, 0.1 for sgd.")
    var lr: Float?

    @Option(help: "SGD momentum.")
    var momentum: Float = 0.9

    @Option(help: "Weight decay: decoupled for adamw (default 0.1), an L2 term for sgd and adam (default 0).")
    var weightDecay: Float?

    @Option(help: "constant, one-cycle or cosine.")
    var schedule: String = "one-cycle"

    @Option(help: "Seed of the initial weights and the shuffles.")
    var seed: UInt64 = 0

    @OptionGroup var threadsOption: ThreadsOption

    @Option(help: "Output folder.")
    var out: String = "runs/latest"

    @Option(help: "Train on the first N training images only.")
    var limit: Int?

    @Flag(help: "Continue the run saved in --out.")
    var resume = false

    @Flag(help: "Print a JSON summary as the last line.")
    var json = false

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        guard ["sgd", "adam", "adamw"].contains(optimizer) else {
            throw ValidationError("--optimizer must be sgd, adam or adamw, got '\(optimizer)'")
        }
        guard ["constant", "one-cycle", "cosine"].contains(schedule) else {
            throw ValidationError("--schedule must be constant, one-cycle or cosine, got '\(schedule)'")
        }
        guard ["fashion-mnist", "mnist", "kmnist"].contains(dataset) else {
            throw ValidationError("--dataset must be fashion-mnist, mnist or kmnist, got '\(dataset)'")
        }
        if let lr { guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be positive, got \(lr)") } }
        if let limit { guard limit >= 1 else { throw ValidationError("--limit must be at least 1") } }
        if let weightDecay {
            guard weightDecay >= 0, weightDecay.isFinite else { throw ValidationError("--weight-decay must not be negative, got \(weightDecay)") }
        }
        _ = try hiddenSizes()
    }

    /// The weight decay given, or the optimizer's default.
    var resolvedWeightDecay: Float { weightDecay ?? (optimizer == "adamw" ? 0.1 : 0) }

    func hiddenSizes() throws -> [Int] {
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
        let source = DataSource.resolve(data: data)
        var train = try source.load(.train)
        let test = try source.load(.test)
        if let limit, limit < train.count {
            train = MNIST(pixels: Array(train.pixels.prefix(limit * train.imageSize)),
                          labels: Array(train.labels.prefix(limit)), rows: train.rows, columns: train.columns)
        }
        let normalization = dataset == "fashion-mnist" ? Normalization.fashionMNIST : Normalization.of(train)
        let classes = Swift.max(train.classCount, test.classCount)
        let folder = RunFolder(url: URL(fileURLWithPath: out))
        try folder.create()

        let trainer: Trainer
        if resume {
            trainer = try Trainer(resuming: folder, train: train, test: test, normalization: normalization,
                                  dataset: dataset, lrOverride: lr, options: self)
        } else {
            let sizes = [train.imageSize] + (try hiddenSizes()) + [classes]
            trainer = Trainer(sizes: sizes, train: train, test: test, normalization: normalization, dataset: dataset,
                              folder: folder, options: self)
        }
        print("data: \(source)")
        print("train: \(train.count) images, test: \(test.count) images, \(classes) classes")
        print("model: \(trainer.state.sizes.map(String.init).joined(separator: " → ")) (\(trainer.model.parameterCount) parameters), \(trainer.optimizerDescription)")
        print("threads: \(Parallelism.threadCount), GEMM kernel: \(MatmulSettings.kernel)")
        try trainer.run(live: !json && isatty(2) == 1)

        let final = Evaluation(model: trainer.model, dataset: test, normalization: normalization, classes: classes)
        print()
        print(final.table(classNames: classNames(dataset: dataset, classes: classes)))
        print(String(format: "\ntest accuracy %.4f; files in %@", final.accuracy, folder.url.path))
        if json { print(RunMetrics(testAccuracy: final.accuracy, epochs: trainer.state.history).json) }
    }
}
