import ArgumentParser
import Foundation
import SwiftGrad

/// Everything that decides a training run's numbers, resolved from `swiftgrad train`'s options and their
/// defaults. Saved in the training state, so that `--resume` continues the run as it was set up rather than with
/// whatever the resuming command line says or leaves out.
struct RunSettings: Codable, Equatable {
    /// `cnn`, or `mlp` (also when nil: a run saved before there was a choice).
    var architecture: ClassifierArchitecture?
    /// Input pixels, hidden fully connected sizes, classes.
    var sizes: [Int]
    /// A CNN's convolution channels (nil for an MLP).
    var channels: [Int]?
    /// Random flips and crops of the training images (nil: none, as runs saved before there was a choice).
    var augmentation: Augmentation?
    /// The `--data` folder the run started with (nil: the default source); `--resume` reads it again unless
    /// given another (a folder that moved).
    var data: String?
    /// `fashion-mnist`, `mnist` or `kmnist`: the class names and the normalisation.
    var dataset: String
    /// Training images the run uses (after `limit`): resumed on other data, a run would silently change course.
    var trainImages: Int
    /// Train on the first `limit` training images only; nil for all of them.
    var limit: Int?
    var epochs: Int
    var batchSize: Int
    var optimizer: OptimizerKind
    /// The constant rate, or the peak of the schedule.
    var learningRate: Float
    /// SGD's momentum; 0 for Adam and AdamW, which do not take one.
    var momentum: Float
    var weightDecay: Float
    var schedule: ScheduleKind
    /// Seed of the initial weights and of each epoch's shuffle.
    var seed: UInt64
    /// What the forward passes compute in (nil: float32, as runs saved before there was a choice).
    var precision: Precision?

    /// The model these settings train on images of `imageSize`.
    func model(imageSize: Size2D) -> ClassifierSpec {
        ClassifierSpec(architecture: architecture ?? .mlp, sizes: sizes, channels: channels ?? [], imageSize: imageSize)
    }

    /// The settings as named values, for the processes of a data-parallel job to check that they agree.
    func agreement() throws -> [(name: String, value: String)] {
        let object = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(self)) as? [String: Any] ?? [:]
        return object.keys.sorted().filter { $0 != "data" }.map { key in
            let value = object[key]!
            let text = (try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]))
                .map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
            return ("the setting \(key)", text)
        }
    }

    /// One line for the report: "AdamW lr 0.003 weight decay 0.1, one-cycle schedule, 15 epochs of batches of 128,
    /// seed 0".
    var description: String {
        let momentumText = optimizer == .sgd ? " momentum \(momentum)" : ""
        let optimizerText = "\(optimizer.displayName) lr \(learningRate)\(momentumText) weight decay \(weightDecay)"
        var parts = [optimizerText, "\(schedule.rawValue) schedule", "\(epochs) epochs of batches of \(batchSize)"]
        if let augmentation, augmentation.isEnabled { parts.append("augmented (\(augmentation.text))") }
        if precision == .bfloat16 { parts.append("bfloat16 mixed precision") }
        return (parts + ["seed \(seed)"]).joined(separator: ", ")
    }
}

/// The defaults of `swiftgrad train`'s options, in one place for the help text and for new runs.
enum TrainDefaults {
    static let architecture = ClassifierArchitecture.mlp
    static let channels = [32, 64]
    static let dataset = "fashion-mnist"
    static let batchSize = 128
    static let optimizer = OptimizerKind.adamw
    static let momentum: Float = 0.9
    static let schedule = ScheduleKind.oneCycle
    static let seed: UInt64 = 0

    static func hidden(_ architecture: ClassifierArchitecture) -> [Int] { architecture == .mlp ? [256, 128] : [128] }
    static func epochs(_ architecture: ClassifierArchitecture) -> Int { architecture == .mlp ? 15 : 10 }
    static func learningRate(_ optimizer: OptimizerKind) -> Float { optimizer == .sgd ? 0.1 : 0.003 }
    static func weightDecay(_ optimizer: OptimizerKind) -> Float { optimizer == .adamw ? 0.1 : 0 }
}

extension RunOptions {
    /// The settings of a new run on `train`'s images (after `--limit`) in `classes` classes: each option given,
    /// else its default.
    func newRunSettings(train: MNIST, classes: Int) throws -> RunSettings {
        let optimizer = self.optimizer.flatMap(OptimizerKind.init(rawValue:)) ?? TrainDefaults.optimizer
        let architecture = arch?.classifier ?? TrainDefaults.architecture
        return RunSettings(
            architecture: architecture,
            sizes: [train.imageSize] + (try hiddenSizes() ?? TrainDefaults.hidden(architecture)) + [classes],
            channels: architecture == .cnn ? try channelSizes() ?? TrainDefaults.channels : nil,
            augmentation: try augmentation() ?? Augmentation.none, data: data,
            dataset: dataset ?? TrainDefaults.dataset, trainImages: train.count, limit: limit,
            epochs: epochs ?? TrainDefaults.epochs(architecture),
            batchSize: batchSize ?? TrainDefaults.batchSize, optimizer: optimizer,
            learningRate: lr ?? TrainDefaults.learningRate(optimizer),
            momentum: optimizer == .sgd ? momentum ?? TrainDefaults.momentum : 0,
            weightDecay: weightDecay ?? TrainDefaults.weightDecay(optimizer), schedule: schedule.flatMap(ScheduleKind.init(rawValue:)) ?? TrainDefaults.schedule,
            seed: seed ?? TrainDefaults.seed, precision: precision ?? .float32)
    }

    /// Throws, naming the option, when an option given to `--resume` disagrees with the saved run's settings.
    /// Options left out take the saved values, so both `swiftgrad train --resume` and the run's own command with
    /// `--resume` added continue it.
    func checkAgreement(with saved: RunSettings) throws {
        try checkMomentum(optimizer: saved.optimizer.rawValue)
        try agree("--arch", arch?.rawValue, (saved.architecture ?? .mlp).rawValue)
        try agree("--channels", try channelSizes().map(Self.sizesText), saved.channels.map(Self.sizesText) ?? "(none: an MLP)")
        try agree("--augment", try augmentation()?.text, (saved.augmentation ?? .none).text)
        try agree("--hidden", try hiddenSizes().map(Self.sizesText), Self.sizesText(Array(saved.sizes.dropFirst().dropLast())))
        try agree("--dataset", dataset, saved.dataset)
        try agree("--limit", limit.map(String.init), saved.limit.map(String.init) ?? "(all images)")
        try agree("--epochs", epochs, saved.epochs)
        try agree("--batch-size", batchSize, saved.batchSize)
        try agree("--optimizer", optimizer, saved.optimizer.rawValue)
        try agree("--lr", lr, saved.learningRate)
        try agree("--momentum", momentum, saved.momentum)
        try agree("--weight-decay", weightDecay, saved.weightDecay)
        try agree("--schedule", schedule, saved.schedule.rawValue)
        try agree("--seed", seed, saved.seed)
        try agree("--precision", precision?.rawValue, (saved.precision ?? .float32).rawValue)
    }

    private func agree<Value: Equatable & CustomStringConvertible>(_ flag: String, _ given: Value?, _ saved: Value) throws {
        guard let given, given != saved else { return }
        throw ValidationError("""
            \(flag) \(given) differs from the saved run's \(saved): --resume continues a run with its own settings; \
            leave \(flag) out, or start a new run with another --out
            """)
    }

    /// Throws when `--momentum` is given for an optimizer that takes none.
    func checkMomentum(optimizer: String) throws {
        if momentum != nil && optimizer != "sgd" {
            throw ValidationError("--momentum applies to --optimizer sgd only (this run's optimizer is \(optimizer))")
        }
    }

    private static func sizesText(_ sizes: [Int]) -> String { sizes.map(String.init).joined(separator: ",") }
}

extension Augmentation {
    /// As `--augment` spells it: "flip,crop", or "none".
    var text: String {
        let parts = (flip ? ["flip"] : []) + (cropPadding > 0 ? ["crop"] : [])
        return parts.isEmpty ? "none" : parts.joined(separator: ",")
    }
}
