import Checkpoints
import Datasets
import Foundation
import NN
import Optimizers
import Testing
import TensorCore
@testable import Training

/// Exact resume through `Checkpointing` and `Learner.restore(from:)`: a fit stopped by a callback's error (at an
/// epoch's end or in the middle of one) and restored into a fresh learner ends with the same figures and the same
/// parameter bits as a fit that was never stopped.
@Suite struct CheckpointResumeTests {
    /// The figures of a record without its time.
    static func figures(_ history: [EpochRecord]) -> [[Double]] {
        history.map { record in
            [Double(record.epoch), record.trainLoss, record.validationLoss ?? .nan] + record.metrics.keys.sorted().map { record.metrics[$0]! }
        }
    }

    static func learner(_ folder: URL, extra: [Callback] = []) -> (Learner, Checkpointing) {
        let checkpointing = Checkpointing(folder: folder, modelMetadata: ["note": "test"], stateMetadata: ["run": "7"])
        let learner = pointLearner(train: 10, valid: 6, batchSize: 3, optimizer: .adamw, schedule: .oneCycle,
                                   callbacks: [Metrics([.accuracy]), checkpointing] + extra)
        return (learner, checkpointing)
    }

    @Test(arguments: [false, true])
    func resumeAfterAnErrorGivesTheUninterruptedRunsBits(saveMidEpoch: Bool) throws {
        let whole = try temporaryFolder(), cut = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: whole); try? FileManager.default.removeItem(at: cut) }
        let (reference, _) = Self.learner(whole)
        try reference.fit(epochs: 3)

        // Stopped in epoch 2 (after its second batch): by an error alone, the checkpoint of epoch 1 remains; saved
        // first (as Ctrl-C does), the checkpoint is of that very batch.
        let stopper = EventLog("stop")
        let (first, checkpointing) = Self.learner(cut, extra: [stopper])
        stopper.trigger = ("afterBatch", { $0.isTraining && $0.epoch == 1 && $0.batchIndex == 2 }, TestStop())
        if saveMidEpoch {
            stopper.trigger = ("afterBatch", { learner in
                guard learner.isTraining && learner.epoch == 1 && learner.batchIndex == 2 else { return false }
                try? checkpointing.save(learner)
                return true
            }, TestStop())
        }
        #expect(throws: TestStop()) { try first.fit(epochs: 3) }

        let (second, _) = Self.learner(cut)
        let metadata = try second.restore(from: cut)
        #expect(metadata["run"] == "7")
        #expect(second.epoch == 1 && second.batchIndex == (saveMidEpoch ? 2 : 0))
        try second.fit(epochs: 3)
        #expect(Self.figures(second.history) == Self.figures(reference.history))
        for ((name, a), (_, b)) in zip(second.model.namedParameters(), reference.model.namedParameters()) {
            #expect(a.scalars == b.scalars, "\(name)")
        }
        let saved = try SafeTensors.readWithMetadata(Checkpointing.modelFile(in: cut))
        #expect(saved.metadata["note"] == "test" && saved.metadata["format"] == "pt")
        #expect(saved.tensors.keys.sorted() == ["0.bias", "0.weight", "2.bias", "2.weight"])
    }

    @Test func restoreRefusesOtherDataAndChangesNothing() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (learner, _) = Self.learner(folder)
        try learner.fit(epochs: 1)
        let other = pointLearner(train: 12, valid: 6, batchSize: 3)
        let before = other.model.parameters().map(\.scalars)
        #expect {
            try other.restore(from: folder)
        } throws: { error in
            "\(error)".contains("was saved by a run of 10 training examples in 4 batches an epoch; this learner has 12 in 4")
        }
        #expect(other.model.parameters().map(\.scalars) == before && other.epoch == 0)
        #expect {
            try other.restore(from: folder.appendingPathComponent("missing"))
        } throws: { error in
            "\(error)".contains("no run to resume")
        }
    }
}

/// A model whose head a callback can swap for a layer of another shape.
final class Swappable: Module {
    var head: Module = Linear(2, 3, generator: RandomGenerator(seed: 1))
    override func forward(_ input: Tensor) -> Tensor { head(input) }
}

/// Swaps the model's head in `beforeFit`.
final class HeadSwapper: Callback {
    func beforeFit(_ learner: Learner) throws {
        (learner.model as! Swappable).head = Linear(2, 5)
    }
}

/// Bad input to a learner: one clear error naming the culprit, and nothing written.
@Suite struct LearnerBadInputTests {
    @Test func aCallbackThatSwapsALayerIsNamedAndNothingIsWritten() throws {
        let folder = try temporaryFolder().appendingPathComponent("run")
        let model = Swappable()
        let data = DataLoaders(train: DataLoader(pointClasses(count: 4, seed: 1), batchSize: 2))
        let learner = Learner(model: model, data: data, optimizer: SGD(model.parameters(), learningRate: 0.1),
                              callbacks: [HeadSwapper(), Checkpointing(folder: folder)])
        #expect {
            try learner.fit(epochs: 1)
        } throws: { error in
            "\(error)" == "callback HeadSwapper changed the model's parameters in beforeFit (head.weight [3, 2], head.bias [3] → head.weight [5, 2], head.bias [5]): a callback may change parameter values, not layers or shapes"
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }

    @Test func emptyDataIsRefused() {
        let model = Linear(2, 3)
        let empty = TensorDataset(inputs: Tensor.zeros([0, 2]), targets: Tensor.zeros([0]))
        let learner = Learner(model: model, data: DataLoaders(train: DataLoader(empty, batchSize: 4)),
                              optimizer: SGD(model.parameters(), learningRate: 0.1))
        #expect(throws: TrainingError.noData("training")) { try learner.fit(epochs: 1) }
        #expect("\(TrainingError.noData("training"))" == "the training data has no examples (or, dropping the last partial batch, no batch)")
        let log = EventLog("log")
        let noValidation = pointLearner(callbacks: [log])
        let withEmpty = Learner(model: noValidation.model,
                                data: DataLoaders(train: noValidation.data.train, valid: DataLoader(empty, batchSize: 4)),
                                optimizer: noValidation.optimizer, callbacks: [log])
        #expect(throws: TrainingError.noData("validation")) { try withEmpty.fit(epochs: 1) }
        #expect(log.events.isEmpty)
    }

    @Test func aClassificationMetricOnARegressionLossIsRefusedBeforeAnythingRuns() {
        let log = EventLog("log")
        let model = Linear(2, 1)
        let data = TensorDataset(inputs: Tensor.randn([4, 2]), targets: Tensor.randn([4, 1]))
        let learner = Learner(model: model, data: DataLoaders(train: DataLoader(data, batchSize: 2), valid: DataLoader(data, batchSize: 2)),
                              loss: .meanSquaredError, optimizer: SGD(model.parameters(), learningRate: 0.1),
                              callbacks: [log, Metrics([.accuracy])])
        #expect {
            try learner.fit(epochs: 1)
        } throws: { error in
            "\(error)" == "metric accuracy needs a classification loss (class scores against class indices), and this learner's loss is mse"
        }
        #expect(log.events.isEmpty)
    }
}
