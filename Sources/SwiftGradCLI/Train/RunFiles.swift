import ArgumentParser
import Foundation
import SwiftGrad

/// One epoch's figures, as `metrics.json` and `--json` report them.
struct EpochMetrics: Codable, Equatable {
    let epoch: Int
    let trainSeconds: Double
    let trainLoss: Double
    let testLoss: Double
    let testAccuracy: Double

    enum CodingKeys: String, CodingKey {
        case epoch, trainSeconds = "train_seconds", trainLoss = "train_loss", testLoss = "test_loss",
             testAccuracy = "test_accuracy"
    }

    /// A learner's record of an epoch validated on the test set with the accuracy metric.
    init(_ record: EpochRecord) {
        (epoch, trainSeconds, trainLoss) = (record.epoch, record.trainSeconds, record.trainLoss)
        testLoss = record.validationLoss ?? .nan
        testAccuracy = record.metrics["accuracy"] ?? .nan
    }
}

/// `metrics.json` and the `--json` line: the final test accuracy and every epoch.
struct RunMetrics: Codable {
    let testAccuracy: Double
    let epochs: [EpochMetrics]

    enum CodingKeys: String, CodingKey { case testAccuracy = "test_accuracy", epochs }

    /// The figures of `history`, with `testAccuracy` (the last epoch's by default).
    init(history: [EpochRecord], testAccuracy: Double? = nil) {
        epochs = history.map(EpochMetrics.init)
        self.testAccuracy = testAccuracy ?? epochs.last?.testAccuracy ?? 0
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// The files of a run folder: `model.safetensors` (PyTorch names) and `training-state.safetensors` (see
/// ``Checkpointing``; the run's settings in its metadata), `metrics.json`, `curves.svg`. Every one is written
/// atomically.
struct RunFolder {
    /// The training-state metadata key of the run's settings.
    static let settingsKey = "swiftgrad.settings"

    let url: URL

    var state: URL { Checkpointing.stateFile(in: url) }
    var metrics: URL { url.appendingPathComponent("metrics.json") }
    var curves: URL { url.appendingPathComponent("curves.svg") }

    /// The settings of the run saved here.
    func loadSettings() throws -> RunSettings {
        guard let settings = try savedSettings(RunSettings.self, key: Self.settingsKey) else {
            throw CheckpointError(path: state.path, problem: "no training state in its metadata that this version of SwiftGrad can read")
        }
        return settings
    }

    /// The settings saved under `key` in the training state's metadata, or nil when it holds none of this kind.
    ///
    /// - Throws: `CheckpointError` when there is no training state, or it cannot be read.
    func savedSettings<Settings: Decodable>(_ type: Settings.Type, key: String) throws -> Settings? {
        guard FileManager.default.fileExists(atPath: state.path) else {
            throw CheckpointError(path: url.path, problem: "no run to resume (no training-state.safetensors)")
        }
        let metadata = try SafeTensors.readWithMetadata(state).metadata
        return metadata[key].flatMap { try? JSONDecoder().decode(Settings.self, from: Data($0.utf8)) }
    }

    /// The training-state metadata that records `settings`.
    static func metadata(_ settings: RunSettings) throws -> [String: String] {
        [settingsKey: String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)]
    }
}

/// A trained classifier's file: the parameters and buffers under PyTorch's names, and in the metadata the
/// classifier's spec, how inputs were normalised and which dataset it was trained on.
enum ModelFile {
    /// The metadata a run's model file carries.
    static func metadata(spec: ClassifierSpec, normalization: Normalization, dataset: String) -> [String: String] {
        spec.metadata.merging([
            "swiftgrad.dataset": dataset,
            "swiftgrad.normalization.mean": String(normalization.mean),
            "swiftgrad.normalization.std": String(normalization.standardDeviation),
        ]) { $1 }
    }

    /// The classifier in `url` for images of `imageSize` (see ``ClassifierSpec/load(_:architecture:imageSize:)``),
    /// its normalisation (Fashion-MNIST's when the file does not say) and dataset name.
    static func load(_ url: URL, architecture: ClassifierArchitecture? = nil, imageSize: Size2D)
        throws -> (model: Sequential, spec: ClassifierSpec, normalization: Normalization, dataset: String?) {
        let (model, spec, metadata) = try ClassifierSpec.load(url, architecture: architecture, imageSize: imageSize)
        var normalization = Normalization.fashionMNIST
        if let mean = metadata["swiftgrad.normalization.mean"].flatMap(Double.init),
           let std = metadata["swiftgrad.normalization.std"].flatMap(Double.init) {
            normalization = Normalization(mean: mean, standardDeviation: std)
        }
        return (model, spec, normalization, metadata["swiftgrad.dataset"])
    }
}

extension ClassifierSpec {
    /// The test images in batches for evaluation: at most 1000 images whose activations take about 64 MB (a
    /// CNN's are large per image).
    /// With a `shard`, this process's contiguous part of them.
    func evaluationLoader(_ images: MNIST, normalization: Normalization, shard: Shard? = nil) -> DataLoader {
        let batchSize = Swift.max(1, Swift.min(1000, Int(16e6 / footprint.activationsPerImage)))
        let dataset = ImageDataset(images, normalization: normalization, imageShape: inputShape)
        guard let shard else { return DataLoader(dataset, batchSize: batchSize) }
        return DataLoader(DatasetSlice(dataset, shard: shard), batchSize: batchSize)
    }
}

extension ClassifierArchitecture: ExpressibleByArgument {}

/// `--precision f32|bf16`.
extension Precision: ExpressibleByArgument {}

/// The class names of a dataset, for reports.
func classNames(dataset: String, classes: Int) -> [String] {
    dataset == "fashion-mnist" ? MNIST.fashionClassNames : (0..<classes).map(String.init)
}
