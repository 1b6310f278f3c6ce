import ArgumentParser
import Foundation
import SwiftGrad

/// The training loop of `swiftgrad train`, with checkpoints after every epoch and on Ctrl-C.
final class Trainer {
    let model: Sequential
    /// What the model is, to rebuild it and to shape its input.
    let spec: ModelSpec
    let optimizer: Optimizer
    let schedule: LearningRateSchedule
    let loader: DataLoader
    let test: MNIST
    let normalization: Normalization
    let folder: RunFolder
    private(set) var state: TrainingState

    /// A fresh run.
    convenience init(settings: RunSettings, train: MNIST, test: MNIST, normalization: Normalization, folder: RunFolder) {
        let spec = settings.model(imageSize: Size2D(train.rows, train.columns))
        let model = spec.build(generator: RandomGenerator(seed: settings.seed))
        let state = TrainingState(settings: settings, epoch: 0, batch: 0, lossSum: 0, imagesSeen: 0, secondsSoFar: 0,
                                  history: [])
        self.init(model: model, spec: spec, state: state, train: train, test: test, normalization: normalization,
                  folder: folder)
    }

    /// Continues the run saved in `folder`, whose training state and optimizer tensors are `saved`, after
    /// checking that the data is the run's: as many training images, of the size its model takes.
    convenience init(resuming saved: (state: TrainingState, optimizer: [String: Tensor]), folder: RunFolder, train: MNIST,
                     test: MNIST, normalization: Normalization) throws {
        let (sizes, images) = (saved.state.settings.sizes, saved.state.settings.trainImages)
        guard images == train.count else {
            throw ValidationError("the saved run trains on \(images) images but this data has \(train.count); give --data the run's own folder")
        }
        guard sizes.first == train.imageSize, sizes.last! >= Swift.max(train.classCount, test.classCount) else {
            throw ValidationError("""
                the saved run's model (\(sizes.map(String.init).joined(separator: " → "))) does not fit this data \
                (\(train.imageSize) pixels, \(Swift.max(train.classCount, test.classCount)) classes)
                """)
        }
        let spec = saved.state.settings.model(imageSize: Size2D(train.rows, train.columns))
        let (model, savedSpec, _, _) = try ModelFile.load(folder.model, imageSize: spec.imageSize)
        guard savedSpec == spec else {
            throw CheckpointError(path: folder.model.path, problem: "holds \(savedSpec.description), not the training state's \(spec.description)")
        }
        self.init(model: model, spec: spec, state: saved.state, train: train, test: test, normalization: normalization,
                  folder: folder)
        try optimizer.loadStateDict(saved.optimizer)
    }

    private init(model: Sequential, spec: ModelSpec, state: TrainingState, train: MNIST, test: MNIST,
                 normalization: Normalization, folder: RunFolder) {
        self.model = model
        self.spec = spec
        self.state = state
        self.test = test
        self.normalization = normalization
        self.folder = folder
        let settings = state.settings
        loader = DataLoader(train, batchSize: settings.batchSize, shuffle: true, seed: settings.seed,
                            normalization: normalization, augmentation: settings.augmentation ?? .none)
        let (rate, decay) = (settings.learningRate, settings.weightDecay)
        switch settings.optimizer {
        case "sgd": optimizer = SGD(model.parameters(), learningRate: rate, momentum: settings.momentum, weightDecay: decay)
        case "adam": optimizer = Adam(model.parameters(), learningRate: rate, weightDecay: decay)
        default: optimizer = AdamW(model.parameters(), learningRate: rate, weightDecay: decay)
        }
        let totalSteps = settings.epochs * loader.batchCount
        switch settings.schedule {
        case "constant": schedule = .constant(rate)
        case "cosine": schedule = .cosine(rate: rate, totalSteps: totalSteps)
        default: schedule = .oneCycle(maximum: rate, totalSteps: totalSteps)
        }
    }

    /// Trains the remaining epochs. Throws ``TrainingStopped`` when interrupted or when the loss stops being
    /// finite.
    func run(live: Bool) throws {
        let classes = state.settings.sizes.last!
        while state.epoch < state.settings.epochs {
            let epoch = state.epoch
            var progress = ProgressBar(epoch: epoch + 1, epochs: state.settings.epochs, batches: loader.batchCount, live: live)
            var batches = loader.batches(epoch: epoch)
            for _ in 0..<state.batch { _ = batches.next() }
            while let (images, labels) = batches.next() {
                let started = Measure.now()
                optimizer.learningRate = schedule.rate(at: epoch * loader.batchCount + state.batch)
                optimizer.zeroGrad()
                let loss = crossEntropy(logits: model(spec.input(images)), targets: labels)
                let value = Double(loss.item())
                guard value.isFinite else {
                    progress.finish()
                    throw TrainingStopped(message: "the loss became \(value) at epoch \(epoch + 1), batch \(state.batch + 1); the last good checkpoint (end of epoch \(epoch)) is in \(folder.url.path). Try a lower --lr.", code: 1)
                }
                loss.backward()
                optimizer.step()
                state.secondsSoFar += Measure.now() - started
                state.lossSum += value * Double(labels.count)
                state.imagesSeen += labels.count
                state.batch += 1
                let rate = Double(state.imagesSeen) / Swift.max(state.secondsSoFar, 1e-9)
                progress.update(batch: state.batch, loss: state.lossSum / Double(state.imagesSeen), imagesPerSecond: rate,
                                secondsLeft: Double(loader.dataset.count - state.imagesSeen) / rate)
                if Interrupt.requested {
                    progress.finish()
                    try save()
                    throw TrainingStopped(message: "interrupted at epoch \(epoch + 1), batch \(state.batch); checkpoint saved in \(folder.url.path); continue with --resume", code: 130)
                }
            }
            progress.finish()
            let evaluation = Evaluation(model: model, spec: spec, dataset: test, normalization: normalization, classes: classes)
            let metrics = EpochMetrics(epoch: epoch + 1, trainSeconds: state.secondsSoFar,
                                       trainLoss: state.lossSum / Double(Swift.max(state.imagesSeen, 1)),
                                       testLoss: evaluation.loss, testAccuracy: evaluation.accuracy)
            print(String(format: "epoch %2d/%d  train loss %.4f  test loss %.4f  test accuracy %.4f  (%.2f s)",
                         metrics.epoch, state.settings.epochs, metrics.trainLoss, metrics.testLoss, metrics.testAccuracy,
                         metrics.trainSeconds))
            fflush(nil)
            state.history.append(metrics)
            state.epoch += 1
            state.batch = 0
            state.lossSum = 0
            state.imagesSeen = 0
            state.secondsSoFar = 0
            try save()
        }
        try AtomicFile.write(Data(Curves.svg(state.history).utf8), to: folder.curves)
    }

    private func save() throws {
        try folder.saveCheckpoint(model: model, spec: spec, normalization: normalization, dataset: state.settings.dataset, optimizer: optimizer,
                                  state: state)
        let metrics = RunMetrics(testAccuracy: state.history.last?.testAccuracy ?? 0, epochs: state.history)
        try AtomicFile.write(Data(metrics.json.utf8), to: folder.metrics)
    }
}

/// The end of a run that did not finish: printed as one line, with the exit code.
struct TrainingStopped: Error, CustomStringConvertible {
    let message: String
    let code: Int32
    var description: String { message }
}
