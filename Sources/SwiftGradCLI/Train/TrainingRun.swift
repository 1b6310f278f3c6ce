import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad train`'s run: a ``Learner`` set up from the run's settings, with the callbacks that report it and
/// write its folder (checkpoints after every epoch and on Ctrl-C, `metrics.json`, `curves.svg`).
final class TrainingRun {
    let settings: RunSettings
    /// What the model is, to rebuild it and to shape its input.
    let spec: ClassifierSpec
    let model: Sequential
    let learner: Learner
    let folder: RunFolder
    /// The data-parallel callback, when several processes train.
    private(set) var dataParallel: DataParallel?

    /// A fresh run of `settings` on `train`, validated on `test` after each epoch. With several processes
    /// (`communicator`), each trains on its part of every batch and validates on its part of `test`, rank 0 alone
    /// reports and writes the run folder.
    init(settings: RunSettings, train: MNIST, test: MNIST, normalization: Normalization, folder: RunFolder, live: Bool,
         communicator: Communicator = SingleProcessCommunicator()) throws {
        self.settings = settings
        self.folder = folder
        spec = settings.model(imageSize: Size2D(train.rows, train.columns))
        model = spec.build(generator: RandomGenerator(seed: settings.seed))
        let distributed = communicator.worldSize > 1
        let shard = Shard(rank: communicator.rank, count: communicator.worldSize)
        let images = ImageDataset(train, normalization: normalization, augmentation: settings.augmentation ?? .none,
                                  imageShape: spec.inputShape)
        let valid = spec.evaluationLoader(test, normalization: normalization, shard: distributed ? shard : nil)
        let data = DataLoaders(train: DataLoader(images, batchSize: settings.batchSize, shuffle: true, seed: settings.seed,
                                                 shard: distributed ? shard : nil),
                               valid: valid)
        let optimizer = settings.optimizer.make(model.parameters(), learningRate: settings.learningRate,
                                                momentum: settings.momentum, weightDecay: settings.weightDecay)
        let checkpointing = Checkpointing(folder: folder.url,
                                          modelMetadata: ModelFile.metadata(spec: spec, normalization: normalization,
                                                                            dataset: settings.dataset),
                                          stateMetadata: try RunFolder.metadata(settings))
        let metricsFile = RunMetricsFile(url: folder.metrics)
        var callbacks: [Callback] = [Metrics([.accuracy])]
        if distributed {
            let parallel = DataParallel(communicator: communicator, agreement: try settings.agreement(),
                                        stopRequested: { Interrupt.requested })
            dataParallel = parallel
            callbacks += [parallel, InterruptStop(checkpointing: communicator.isRoot ? checkpointing : nil, metricsFile: metricsFile,
                                                  stop: { parallel.stopAgreed })]
        } else {
            callbacks += [NonFiniteLossStop(), InterruptStop(checkpointing: checkpointing, metricsFile: metricsFile,
                                                            stop: { Interrupt.requested })]
        }
        if communicator.isRoot {
            callbacks += [ProgressReport(live: live, unit: "img", validationName: "test"), checkpointing, metricsFile,
                          TrainingCurves(url: folder.curves, validationName: "test")]
        }
        learner = Learner(model: model, data: data, loss: .crossEntropy, optimizer: optimizer, schedule: settings.schedule,
                          callbacks: callbacks, precision: settings.precision ?? .float32)
    }

    /// Continues the run saved in `folder` with its own `settings`, after checking that the data is the run's: as
    /// many training images, of the size its model takes.
    convenience init(resuming settings: RunSettings, folder: RunFolder, train: MNIST, test: MNIST,
                     normalization: Normalization, live: Bool, communicator: Communicator) throws {
        let (sizes, images) = (settings.sizes, settings.trainImages)
        guard images == train.count else {
            throw ValidationError("the saved run trains on \(images) images but this data has \(train.count); give --data the run's own folder")
        }
        guard sizes.first == train.imageSize, sizes.last! >= Swift.max(train.classCount, test.classCount) else {
            throw ValidationError("""
                the saved run's model (\(sizes.map(String.init).joined(separator: " → "))) does not fit this data \
                (\(train.imageSize) pixels, \(Swift.max(train.classCount, test.classCount)) classes)
                """)
        }
        try self.init(settings: settings, train: train, test: test, normalization: normalization, folder: folder, live: live,
                      communicator: communicator)
        try learner.restore(from: folder.url)
    }

    /// Trains the remaining epochs. Throws ``TrainingStopped`` when interrupted or when the loss stops being
    /// finite.
    func fit() throws {
        do {
            try learner.fit(epochs: settings.epochs)
        } catch let error as TrainingError {
            guard case .nonFiniteLoss(_, let epoch, _) = error else { throw error }
            throw TrainingStopped(message: "\(error); the last good checkpoint (end of epoch \(epoch - 1)) is in \(folder.url.path). Try a lower --lr.", code: 1)
        }
    }
}

/// Writes `metrics.json` after each epoch's checkpoint, as `json` makes it from the learner.
final class RunMetricsFile: Callback {
    let url: URL
    private let json: (Learner) -> String

    /// A classifier run's figures (``RunMetrics``) written to `url`, unless `json` says otherwise.
    init(url: URL, json: @escaping (Learner) -> String = { RunMetrics(history: $0.history).json }) {
        self.url = url
        self.json = json
    }

    var order: Int { 105 }

    func afterEpoch(_ learner: Learner) throws {
        try write(learner)
    }

    func write(_ learner: Learner) throws {
        try AtomicFile.write(Data(json(learner).utf8), to: url)
    }
}

/// Ctrl-C: after the batch in progress, saves a checkpoint (where given one: rank 0's) and ends the run (exit
/// status 130). `stop` says whether to stop now: the interrupt flag, or with several processes the flag they agreed
/// on at this step, so that all stop together.
final class InterruptStop: Callback {
    let checkpointing: Checkpointing?
    let metricsFile: RunMetricsFile
    let stop: () -> Bool

    init(checkpointing: Checkpointing?, metricsFile: RunMetricsFile, stop: @escaping () -> Bool) {
        self.checkpointing = checkpointing
        self.metricsFile = metricsFile
        self.stop = stop
    }

    func afterBatch(_ learner: Learner) throws {
        guard learner.isTraining, stop() else { return }
        if let checkpointing {
            try checkpointing.save(learner)
            try metricsFile.write(learner)
        }
        let folder = checkpointing?.folder.path ?? "the output folder"
        throw TrainingStopped(message: "interrupted at epoch \(learner.epoch + 1), batch \(learner.batchIndex); checkpoint saved in \(folder); continue with --resume", code: 130)
    }
}

/// The end of a run that did not finish: printed as one line, with the exit code.
struct TrainingStopped: Error, CustomStringConvertible {
    let message: String
    let code: Int32
    var description: String { message }
}
