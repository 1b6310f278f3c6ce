import Checkpoints
import Foundation
import NN
import TensorCore

/// Saves the model and everything needed to continue the fit exactly (the optimizer's state, the position in
/// the epoch, the epoch's running sums, the history) after every epoch, into a folder:
/// `training-state.safetensors` (all of it, the model's tensors under `model.`, the optimizer's under
/// `optimizer.`), then `model.safetensors` (the model alone under PyTorch's names, loadable by
/// `safetensors.torch.load_file`). Each file is written atomically (to a temporary file, then renamed), and a
/// restore reads the training state alone, so a process killed while saving leaves a consistent checkpoint to
/// continue from. ``Learner/restore(from:)`` continues.
///
/// Runs after the other callbacks (order 100), so that a callback that fails in `afterEpoch` stops the fit before
/// anything is written. ``save(_:)`` saves at any other moment (an interrupt handler calls it between batches).
public final class Checkpointing: Callback {
    /// The folder written.
    public let folder: URL
    /// Metadata written into the model file beside SwiftGrad's own (a model's architecture, the data's
    /// normalisation).
    public var modelMetadata: [String: String]
    /// Metadata written into the training-state file (a command line's settings).
    public var stateMetadata: [String: String]

    /// Checkpoints into `folder` (created when the fit starts).
    public init(folder: URL, modelMetadata: [String: String] = [:], stateMetadata: [String: String] = [:]) {
        self.folder = folder
        self.modelMetadata = modelMetadata
        self.stateMetadata = stateMetadata
    }

    /// The model file of a checkpoint folder.
    public static func modelFile(in folder: URL) -> URL { folder.appendingPathComponent("model.safetensors") }
    /// The training-state file of a checkpoint folder.
    public static func stateFile(in folder: URL) -> URL { folder.appendingPathComponent("training-state.safetensors") }

    public var order: Int { 100 }

    /// Creates the folder, and removes temporary files that a killed run left half-written.
    public func beforeFit(_ learner: Learner) throws {
        try AtomicFile.createFolder(folder)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        where name.hasPrefix(".") && name.contains(".tmp-") {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    public func afterEpoch(_ learner: Learner) throws {
        try save(learner)
    }

    /// Writes the checkpoint of `learner` as it stands: the training state, then the model.
    public func save(_ learner: Learner) throws {
        let encoded = String(decoding: try JSONEncoder().encode(LearnerPosition(learner)), as: UTF8.self)
        let model = learner.model.stateDict()
        var state = Dictionary(uniqueKeysWithValues: model.map { ("model." + $0.key, $0.value) })
        for (name, tensor) in learner.optimizer.stateDict() { state["optimizer." + name] = tensor }
        try SafeTensors.write(state, to: Self.stateFile(in: folder),
                              metadata: stateMetadata.merging([LearnerPosition.key: encoded]) { $1 })
        try SafeTensors.write(model, to: Self.modelFile(in: folder), metadata: modelMetadata.merging(["format": "pt"]) { $1 })
    }
}

/// Where a learner stands, as a checkpoint saves it.
struct LearnerPosition: Codable {
    static let key = "swiftgrad.learner"

    var epoch: Int
    var batchIndex: Int
    var progress: EpochProgress
    var history: [EpochRecord]
    /// The data the position counts in: a resumed fit must batch the same number of examples the same way.
    var trainExamples: Int
    var batchesPerEpoch: Int

    init(_ learner: Learner) {
        (epoch, batchIndex, progress, history) = (learner.epoch, learner.batchIndex, learner.progress, learner.history)
        (trainExamples, batchesPerEpoch) = (learner.data.train.dataset.count, learner.batchesPerEpoch)
    }
}

extension Learner {
    /// Loads the checkpoint that ``Checkpointing`` wrote into `folder`: the model's parameters and buffers, the
    /// optimizer's state, the position and the history, all from the training-state file; ``fit(epochs:)`` then
    /// continues at the batch after the last one saved, with the same results as a run that was never stopped.
    ///
    /// - Returns: the training-state file's metadata (what ``Checkpointing/stateMetadata`` was).
    /// - Throws: `CheckpointError` when the file is missing or corrupt, does not fit the model or the optimizer,
    ///   or was saved by a run that batched other data; nothing is changed then.
    @discardableResult
    public func restore(from folder: URL) throws -> [String: String] {
        let url = Checkpointing.stateFile(in: folder)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CheckpointError(path: folder.path, problem: "no run to resume (no training-state.safetensors)")
        }
        let (tensors, metadata) = try SafeTensors.readWithMetadata(url)
        guard let text = metadata[LearnerPosition.key],
              let position = try? JSONDecoder().decode(LearnerPosition.self, from: Data(text.utf8)) else {
            throw CheckpointError(path: url.path, problem: "no training state in its metadata that this version of SwiftGrad can read")
        }
        guard position.trainExamples == data.train.dataset.count, position.batchesPerEpoch == batchesPerEpoch else {
            throw CheckpointError(path: url.path, problem: "was saved by a run of \(position.trainExamples) training examples in \(position.batchesPerEpoch) batches an epoch; this learner has \(data.train.dataset.count) in \(batchesPerEpoch)")
        }
        func part(_ prefix: String) -> [String: Tensor] {
            Dictionary(uniqueKeysWithValues: tensors.filter { $0.key.hasPrefix(prefix) }.map { (String($0.key.dropFirst(prefix.count)), $0.value) })
        }
        let before = model.stateDict().mapValues { $0.copied() }
        do {
            try model.loadStateDict(part("model."))
            try optimizer.loadStateDict(part("optimizer."))
        } catch {
            try? model.loadStateDict(before)
            throw CheckpointError(path: url.path, problem: "\(error)")
        }
        (epoch, batchIndex, progress, history) = (position.epoch, position.batchIndex, position.progress, position.history)
        return metadata
    }
}
