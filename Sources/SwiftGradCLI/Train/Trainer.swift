import ArgumentParser
import Foundation
import SwiftGrad

/// The training loop of `swiftgrad train`, with checkpoints after every epoch and on Ctrl-C.
final class Trainer {
    let model: Sequential
    let optimizer: Optimizer
    let schedule: LearningRateSchedule
    let loader: DataLoader
    let test: MNIST
    let normalization: Normalization
    let dataset: String
    let folder: RunFolder
    let optimizerDescription: String
    private(set) var state: TrainingState

    /// A fresh run.
    convenience init(sizes: [Int], train: MNIST, test: MNIST, normalization: Normalization, dataset: String, folder: RunFolder,
         options: TrainCommand) {
        let model = Sequential.multilayerPerceptron(sizes, generator: RandomGenerator(seed: options.seed))
        let state = TrainingState(sizes: sizes, optimizer: options.optimizer, seed: options.seed, epochs: options.epochs,
                                  batchSize: options.batchSize, epoch: 0, batch: 0, lossSum: 0, imagesSeen: 0,
                                  secondsSoFar: 0, history: [])
        self.init(model: model, state: state, train: train, test: test, normalization: normalization, dataset: dataset,
                  folder: folder, lr: options.lr, options: options)
    }

    /// Continues the run saved in `folder`.
    convenience init(resuming folder: RunFolder, train: MNIST, test: MNIST, normalization: Normalization,
                     dataset: String, lrOverride: Float?, options: TrainCommand) throws {
        let (state, optimizerState) = try folder.loadState()
        let (model, _, _) = try ModelFile.load(folder.model)
        guard model.namedParameters().count == (state.sizes.count - 1) * 2 else {
            throw CheckpointError(path: folder.model.path, problem: "does not match the training state's layers \(state.sizes)")
        }
        self.init(model: model, state: state, train: train, test: test, normalization: normalization, dataset: dataset,
                  folder: folder, lr: lrOverride, options: options)
        try optimizer.loadStateDict(optimizerState)
    }

    private init(model: Sequential, state: TrainingState, train: MNIST, test: MNIST, normalization: Normalization,
                 dataset: String, folder: RunFolder, lr: Float?, options: TrainCommand) {
        self.model = model
        self.state = state
        self.test = test
        self.normalization = normalization
        self.dataset = dataset
        self.folder = folder
        loader = DataLoader(train, batchSize: state.batchSize, shuffle: true, seed: state.seed, normalization: normalization)
        let rate = lr ?? (state.optimizer == "sgd" ? 0.1 : 0.003)
        switch state.optimizer {
        case "sgd":
            optimizer = SGD(model.parameters(), learningRate: rate, momentum: options.momentum, weightDecay: options.resolvedWeightDecay)
            optimizerDescription = "SGD lr \(rate) momentum \(options.momentum) weight decay \(options.resolvedWeightDecay)"
        case "adam":
            optimizer = Adam(model.parameters(), learningRate: rate, weightDecay: options.resolvedWeightDecay)
            optimizerDescription = "Adam lr \(rate) weight decay \(options.resolvedWeightDecay)"
        default:
            optimizer = AdamW(model.parameters(), learningRate: rate, weightDecay: options.resolvedWeightDecay)
            optimizerDescription = "AdamW lr \(rate) weight decay \(options.resolvedWeightDecay)"
        }
        let totalSteps = state.epochs * loader.batchCount
        switch options.schedule {
        case "constant": schedule = .constant(rate)
        case "cosine": schedule = .cosine(rate: rate, totalSteps: totalSteps)
        default: schedule = .oneCycle(maximum: rate, totalSteps: totalSteps)
        }
    }

    /// Trains the remaining epochs. Throws ``TrainingStopped`` when interrupted or when the loss stops being
    /// finite.
    func run(live: Bool) throws {
        let classes = state.sizes.last!
        while state.epoch < state.epochs {
            let epoch = state.epoch
            var progress = ProgressBar(epoch: epoch + 1, epochs: state.epochs, batches: loader.batchCount, live: live)
            var batches = loader.batches(epoch: epoch)
            for _ in 0..<state.batch { _ = batches.next() }
            while let (images, labels) = batches.next() {
                let started = Measure.now()
                optimizer.learningRate = schedule.rate(at: epoch * loader.batchCount + state.batch)
                optimizer.zeroGrad()
                let loss = crossEntropy(logits: model(images), targets: labels)
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
            let evaluation = Evaluation(model: model, dataset: test, normalization: normalization, classes: classes)
            let metrics = EpochMetrics(epoch: epoch + 1, trainSeconds: state.secondsSoFar,
                                       trainLoss: state.lossSum / Double(Swift.max(state.imagesSeen, 1)),
                                       testLoss: evaluation.loss, testAccuracy: evaluation.accuracy)
            print(String(format: "epoch %2d/%d  train loss %.4f  test loss %.4f  test accuracy %.4f  (%.2f s)",
                         metrics.epoch, state.epochs, metrics.trainLoss, metrics.testLoss, metrics.testAccuracy,
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
        try folder.saveCheckpoint(model: model, normalization: normalization, dataset: dataset, optimizer: optimizer,
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
