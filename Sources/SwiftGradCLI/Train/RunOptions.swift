import ArgumentParser
import Foundation
import SwiftGrad

/// What `--arch` names: one of the image classifiers, or the GPT language model.
enum Architecture: String, ExpressibleByArgument {
    case mlp, cnn, gpt

    /// The classifier it names (nil for gpt).
    var classifier: ClassifierArchitecture? { ClassifierArchitecture(rawValue: rawValue) }
}

/// The options that set up a training run (data, model, optimizer, schedule, seed), shared by `swiftgrad train`
/// and `swiftgrad lr-find`.
struct RunOptions: ParsableArguments {
    @Option(help: "Folder with the dataset's IDX files (train-images-idx3-ubyte.gz, …).")
    var data: String?

    @Option(help: "fashion-mnist, mnist or kmnist: names the classes and, except for fashion-mnist, normalises with the training set's own statistics. (default: \(TrainDefaults.dataset))")
    var dataset: String?

    @Option(help: "mlp; cnn: blocks of Conv2d 3×3, BatchNorm2d, ReLU and MaxPool2d(2), one per --channels entry, then the --hidden layers; or gpt: a character-level language model of --text (see the language model options). (default: \(TrainDefaults.architecture))")
    var arch: Architecture?

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

    @Option(help: "Train on the first N training images only.")
    var limit: Int?

    @Option(help: "f32, or bf16: mixed precision, the forward passes' products on bfloat16 operands (float32 sums, parameters and optimizer state; on VDPBF16PS where the CPU has AVX512-BF16). (default: f32)")
    var precision: Precision?


    /// Checks each option given; `resuming` (train's `--resume`) leaves out the checks that the saved run's
    /// settings answer instead.
    func validate(resuming resume: Bool) throws {
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

    /// The data the options name: the training and test sets (the training set cut to `limit`), where they came
    /// from, the normalisation of `dataset` (Fashion-MNIST's statistics, else the training set's own) and the
    /// number of classes.
    static func loadData(folder: String?, dataset: String, limit: Int?) throws
        -> (source: DataSource, train: MNIST, test: MNIST, normalization: Normalization, classes: Int) {
        let source = DataSource.resolve(data: folder)
        var train = try source.load(.train)
        let test = try source.load(.test)
        if let limit, limit < train.count { train = train.prefix(limit) }
        let normalization = dataset == "fashion-mnist" ? Normalization.fashionMNIST : Normalization.of(train)
        return (source, train, test, normalization, Swift.max(train.classCount, test.classCount))
    }
}
