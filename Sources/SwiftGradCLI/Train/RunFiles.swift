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
}

/// `metrics.json` and the `--json` line: the final test accuracy and every epoch.
struct RunMetrics: Codable {
    let testAccuracy: Double
    let epochs: [EpochMetrics]

    enum CodingKeys: String, CodingKey { case testAccuracy = "test_accuracy", epochs }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// Where training is and how it was set up: saved beside the model so `--resume` continues exactly.
struct TrainingState: Codable {
    var settings: RunSettings
    /// The epoch in progress (0-based) and the next batch of it.
    var epoch: Int
    var batch: Int
    /// Sum of batch losses × batch sizes and images so far in the epoch in progress.
    var lossSum: Double
    var imagesSeen: Int
    var secondsSoFar: Double
    var history: [EpochMetrics]
}

/// The files of a run folder: `model.safetensors` (PyTorch names), `training-state.safetensors` (optimizer
/// state and position), `metrics.json`, `curves.svg`. Every one is written atomically.
struct RunFolder {
    let url: URL

    var model: URL { url.appendingPathComponent("model.safetensors") }
    var state: URL { url.appendingPathComponent("training-state.safetensors") }
    var metrics: URL { url.appendingPathComponent("metrics.json") }
    var curves: URL { url.appendingPathComponent("curves.svg") }

    /// Creates the folder, and removes temporary files that a killed run left half-written (the files they
    /// were replacing are intact: writes go through a rename).
    func create() throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw CheckpointError(path: url.path, problem: "cannot create the output folder")
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        where name.hasPrefix(".") && name.contains(".tmp-") {
            try? FileManager.default.removeItem(at: url.appendingPathComponent(name))
        }
    }

    /// Writes the model (PyTorch-loadable) and the training state.
    func saveCheckpoint(model: Sequential, spec: ModelSpec, normalization: Normalization, dataset: String,
                        optimizer: Optimizer, state: TrainingState) throws {
        try ModelFile.save(model, spec: spec, normalization: normalization, dataset: dataset, to: self.model)
        let encoded = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        try SafeTensors.write(optimizer.stateDict(), to: self.state, metadata: ["swiftgrad.training": encoded])
    }

    /// The training state and optimizer tensors of an interrupted or finished run.
    func loadState() throws -> (state: TrainingState, optimizer: [String: Tensor]) {
        guard FileManager.default.fileExists(atPath: state.path) else {
            throw CheckpointError(path: url.path, problem: "no run to resume (no training-state.safetensors)")
        }
        let (tensors, metadata) = try SafeTensors.readWithMetadata(state)
        guard let text = metadata["swiftgrad.training"],
              let decoded = try? JSONDecoder().decode(TrainingState.self, from: Data(text.utf8)) else {
            throw CheckpointError(path: state.path, problem: "no training state in its metadata that this version of SwiftGrad can read")
        }
        return (decoded, tensors)
    }
}

/// A trained classifier's file: the parameters and buffers under PyTorch's names, and in the metadata the
/// architecture, how inputs were normalised and which dataset it was trained on.
enum ModelFile {
    static func save(_ model: Sequential, spec: ModelSpec, normalization: Normalization, dataset: String, to url: URL) throws {
        try SafeTensors.write(model.stateDict(), to: url, metadata: [
            "format": "pt",
            "swiftgrad.arch": spec.architecture.rawValue,
            "swiftgrad.dataset": dataset,
            "swiftgrad.normalization.mean": String(normalization.mean),
            "swiftgrad.normalization.std": String(normalization.standardDeviation),
        ])
    }

    /// The model for images of `imageSize` (its architecture from the file's metadata, else `architecture`,
    /// else an MLP; its layers inferred from the tensor names and shapes, so PyTorch's files load too), its
    /// normalisation (Fashion-MNIST's when the file does not say) and dataset name.
    static func load(_ url: URL, architecture: Architecture? = nil, imageSize: Size2D)
        throws -> (model: Sequential, spec: ModelSpec, normalization: Normalization, dataset: String?) {
        let (tensors, metadata) = try SafeTensors.readWithMetadata(url)
        let saved = metadata["swiftgrad.arch"].flatMap(Architecture.init(rawValue:))
        if let saved, let architecture, saved != architecture {
            throw CheckpointError(path: url.path, problem: "holds an \(saved), not the --arch \(architecture) network")
        }
        let kind = saved ?? architecture ?? .mlp
        let spec: ModelSpec
        do {
            spec = try ModelSpec.of(tensors, architecture: kind, imageSize: imageSize)
        } catch {
            let what = kind == .mlp ? "a Linear/ReLU multilayer perceptron (give --arch cnn for a CNN)" : "the --arch cnn network"
            throw CheckpointError(path: url.path, problem: "not \(what): \(error)")
        }
        let model = spec.build()
        do {
            try model.loadStateDict(tensors)
        } catch {
            throw CheckpointError(path: url.path, problem: "\(error)")
        }
        var normalization = Normalization.fashionMNIST
        if let mean = metadata["swiftgrad.normalization.mean"].flatMap(Double.init),
           let std = metadata["swiftgrad.normalization.std"].flatMap(Double.init) {
            normalization = Normalization(mean: mean, standardDeviation: std)
        }
        return (model, spec, normalization, metadata["swiftgrad.dataset"])
    }
}
