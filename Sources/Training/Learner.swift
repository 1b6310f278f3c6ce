import Datasets
import Foundation
import NN
import Optimizers
import TensorCore

/// A model's training data and, optionally, the data it is validated on after each epoch.
public struct DataLoaders: Sendable {
    /// The batches each epoch trains on.
    public let train: DataLoader
    /// The batches ``Learner/validate()`` runs (nil: no validation).
    public let valid: DataLoader?

    /// Training data and optional validation data.
    public init(train: DataLoader, valid: DataLoader? = nil) {
        self.train = train
        self.valid = valid
    }
}

/// One finished epoch: the training loss (the mean over its batches, each weighted by its size), the seconds its
/// training batches took, and the validation loss and metrics when there was validation data.
public struct EpochRecord: Codable, Equatable, Sendable {
    /// The epoch, from 1.
    public let epoch: Int
    /// The mean training loss.
    public let trainLoss: Double
    /// Seconds spent in training batches (forward, backward, step; not validation or callbacks' own work).
    public let trainSeconds: Double
    /// The mean validation loss, if validated.
    public let validationLoss: Double?
    /// The validation metrics by name (``Metrics``).
    public let metrics: [String: Double]
}

/// The running sums of the epoch in progress, saved by ``Checkpointing`` so that a resumed epoch reports the
/// same figures as an uninterrupted one.
public struct EpochProgress: Codable, Equatable, Sendable {
    /// Σ batch loss × batch size.
    public var lossSum = 0.0
    /// Training examples seen.
    public var examples = 0
    /// Seconds spent in training batches.
    public var seconds = 0.0

    /// The mean loss so far (0 before the first batch).
    public var meanLoss: Double { lossSum / Double(Swift.max(examples, 1)) }
}

/// The training loop, as fastai's `Learner` or Lightning's `Trainer`: the model, its data, its loss, its optimizer
/// and learning-rate schedule, and ``Callback``s that do everything else (progress, metrics, checkpoints, early
/// stopping, clipping, logging).
///
/// ```swift
/// let learner = Learner(model: model, data: DataLoaders(train: train, valid: valid), loss: .crossEntropy,
///                       optimizer: AdamW(model.parameters(), learningRate: 3e-3), schedule: .oneCycle,
///                       callbacks: [Metrics([.accuracy]), ProgressReport()])
/// try learner.fit(epochs: 5)
/// ```
///
/// The state below is the callbacks' to read and, where it is settable, to change. Each training batch sets the
/// learning rate from the schedule, zeroes the gradients, runs the model on ``inputs``, the loss of
/// ``predictions`` against ``targets``, the backward pass and the optimizer's step; each epoch then validates
/// (model in evaluation mode, no gradient recorded) and appends an ``EpochRecord`` to ``history``.
public final class Learner {
    /// The model trained.
    public let model: Module
    /// The training and validation data.
    public let data: DataLoaders
    /// The loss minimised.
    public let lossFunction: Loss
    /// The optimizer over the model's parameters.
    public let optimizer: Optimizer
    /// How the learning rate moves over the fit, from ``baseLearningRate``.
    public let schedule: ScheduleKind
    /// The rate the schedule is built on (its peak for one-cycle): the optimizer's when the learner was made.
    public let baseLearningRate: Float
    /// The callbacks, in the order they run.
    public let callbacks: [Callback]
    /// What the forward passes (training and validation) compute in: float32, or bfloat16 mixed precision.
    public let precision: Precision

    /// The epoch in progress, from 0; after the fit, the number of epochs done.
    public internal(set) var epoch = 0
    /// The epochs the current fit runs to.
    public internal(set) var epochs = 0
    /// The training batch in progress within the epoch, from 0 (the next one between batches).
    public internal(set) var batchIndex = 0
    /// Whether the current batch is a training batch (false during validation).
    public internal(set) var isTraining = true
    /// The running sums of the epoch in progress (a data-parallel callback makes them the sums over all processes).
    public var progress = EpochProgress()
    /// Every finished epoch.
    public internal(set) var history: [EpochRecord] = []
    /// The last validation's loss (`"loss"`) and metrics.
    public var validation: [String: Double] = [:]
    /// The error that is ending the fit, for ``Callback/afterFit(_:)`` to see; nil otherwise.
    public internal(set) var failure: Error?

    /// The current batch's inputs (replace them in ``Callback/beforeBatch(_:)`` to change what the model sees).
    public var inputs = Tensor.zeros([0])
    /// The current batch's targets.
    public var targets = Tensor.zeros([0])
    /// The model's output for the current batch, after the forward pass.
    public var predictions: Tensor?
    /// The current batch's loss, after the loss is computed (replace it in ``Callback/afterLoss(_:)`` to change
    /// what is differentiated).
    public var loss: Tensor?

    /// The optimizer's learning rate (set from the schedule before each training batch; a callback may change it).
    public var learningRate: Float {
        get { optimizer.learningRate }
        set { optimizer.learningRate = newValue }
    }

    /// The examples in the current batch: the targets' first axis.
    public var batchSize: Int { targets.shape.first ?? 1 }

    /// Training batches per epoch.
    public var batchesPerEpoch: Int { data.train.batchCount }

    /// The optimizer steps taken in the fit so far (the schedule's position).
    public var step: Int { epoch * batchesPerEpoch + batchIndex }

    private var rates = LearningRateSchedule.constant(0)
    /// Whether each callback's change to the model's parameter shapes is checked after the events now running.
    private var checksStructure = false
    private var structure: [String] = []

    /// A learner of `model` on `data`, minimising `loss` with `optimizer` (built over `model.parameters()`, its
    /// rate the schedule's base), the rate following `schedule`, and `callbacks` (run in ascending
    /// ``Callback/order``, ties in this order), its forward passes in `precision`.
    public init(model: Module, data: DataLoaders, loss: Loss = .crossEntropy, optimizer: Optimizer,
                schedule: ScheduleKind = .constant, callbacks: [Callback] = [], precision: Precision = .float32) {
        self.model = model
        self.precision = precision
        self.data = data
        self.lossFunction = loss
        self.optimizer = optimizer
        self.schedule = schedule
        self.baseLearningRate = optimizer.learningRate
        self.callbacks = callbacks.enumerated().sorted { ($0.element.order, $0.offset) < ($1.element.order, $1.offset) }
            .map(\.element)
    }

    /// Trains until `epochs` epochs are done in all: every epoch for a new learner, the rest for one restored from
    /// a checkpoint (``restore(from:)``), which continues at the batch where it stopped.
    ///
    /// - Throws: ``TrainingError`` for empty data or a callback that changed the model's layers; a callback's
    ///   check (``Callback/check(_:)``) before anything runs; otherwise the first error a callback or the data
    ///   throws, after ``Callback/afterFit(_:)`` has run. ``Cancellation`` is not an error here.
    public func fit(epochs: Int) throws {
        require(epochs >= 1, "Learner.fit: epochs must be at least 1, got \(epochs)")
        try checkData(validating: data.valid != nil)
        for callback in callbacks { try callback.check(self) }
        self.epochs = epochs
        rates = schedule.schedule(rate: baseLearningRate, totalSteps: epochs * batchesPerEpoch)
        failure = nil
        structure = model.currentParameterShapes()
        do {
            try event("beforeFit", checked: true) { try $0.beforeFit(self) }
            while epoch < epochs { try runEpoch() }
        } catch Cancellation.fit {
        } catch {
            failure = error
        }
        do {
            try event("afterFit", checked: true) { try $0.afterFit(self) }
        } catch Cancellation.fit {
        } catch {
            if failure == nil { failure = error }
        }
        if let failure { throw failure }
    }

    /// Runs the validation data through the model (evaluation mode, no gradient recorded) with the validation
    /// events, and returns the mean loss under `"loss"` and each metric of a ``Metrics`` callback under its name.
    ///
    /// - Throws: ``TrainingError/noData(_:)`` without validation data or with none in it; a callback's error.
    public func validate() throws -> [String: Double] {
        guard data.valid != nil else { throw TrainingError.noData("validation") }
        try checkData(validating: true)
        for callback in callbacks { try callback.check(self) }
        structure = model.currentParameterShapes()
        return try runValidation()
    }

    /// The model's output for `inputs`, in evaluation mode with no gradient recorded (the model's mode is put
    /// back afterwards).
    ///
    /// **Shapes:** whatever the model takes and returns.
    public func predict(_ inputs: Tensor) -> Tensor {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        return withoutGradient { precision.run { model(inputs) } }
    }

    private func checkData(validating: Bool) throws {
        if data.train.dataset.count == 0 || data.train.batchCount == 0 { throw TrainingError.noData("training") }
        if validating, let valid = data.valid, valid.dataset.count == 0 || valid.batchCount == 0 {
            throw TrainingError.noData("validation")
        }
    }

    private func runEpoch() throws {
        model.train()
        isTraining = true
        structure = model.currentParameterShapes()
        var cancelled = false
        do {
            try event("beforeEpoch", checked: true) { try $0.beforeEpoch(self) }
        } catch Cancellation.epoch {
            cancelled = true
        }
        if !cancelled {
            var batches = data.train.batches(epoch: epoch)
            // A resumed epoch draws the batches it already trained on, so that the rest (and any augmentation's
            // draws) come out as in an uninterrupted run.
            for _ in 0..<batchIndex { _ = batches.next() }
            let first = batchIndex
            do {
                while let (x, y) = batches.next() {
                    checksStructure = batchIndex == first
                    try trainBatch(inputs: x, targets: y)
                }
            } catch Cancellation.epoch {}
            checksStructure = false
        }
        let validation = data.valid == nil ? [:] : try runValidation()
        history.append(EpochRecord(epoch: epoch + 1, trainLoss: progress.meanLoss, trainSeconds: progress.seconds,
                                   validationLoss: validation["loss"],
                                   metrics: validation.filter { $0.key != "loss" }))
        epoch += 1
        batchIndex = 0
        progress = EpochProgress()
        try event("afterEpoch", checked: true) { try $0.afterEpoch(self) }
    }

    private func trainBatch(inputs x: Tensor, targets y: Tensor) throws {
        (inputs, targets, predictions, loss) = (x, y, nil, nil)
        learningRate = rates.rate(at: step)
        do {
            try event("beforeBatch") { try $0.beforeBatch(self) }
            let started = Date.timeIntervalSinceReferenceDate
            optimizer.zeroGrad()
            let batchLoss = try forwardAndLoss()
            let value = Double(batchLoss.item())
            batchLoss.backward()
            try event("afterBackward") { try $0.afterBackward(self) }
            optimizer.step()
            progress.seconds += Date.timeIntervalSinceReferenceDate - started
            progress.lossSum += value * Double(batchSize)
            progress.examples += batchSize
            try event("afterStep") { try $0.afterStep(self) }
            batchIndex += 1
            try event("afterBatch") { try $0.afterBatch(self) }
        } catch Cancellation.batch {
            batchIndex += 1
        }
    }

    /// The forward pass and the loss of the current batch, with their events; returns the loss as the callbacks
    /// left it. The forward pass runs in ``precision`` (the callbacks and the loss in float32).
    private func forwardAndLoss() throws -> Tensor {
        let output = precision.run { model(inputs) }
        predictions = output
        try event("afterForward") { try $0.afterForward(self) }
        loss = lossFunction(predictions ?? output, targets)
        try event("afterLoss") { try $0.afterLoss(self) }
        return loss!
    }

    private func runValidation() throws -> [String: Double] {
        let wasTraining = model.isTraining
        model.eval()
        isTraining = false
        defer {
            model.train(wasTraining)
            isTraining = true
        }
        validation = [:]
        try event("beforeValidate", checked: true) { try $0.beforeValidate(self) }
        var lossSum = 0.0, examples = 0
        try withoutGradient {
            for (x, y) in data.valid!.batches() {
                (inputs, targets, predictions, loss) = (x, y, nil, nil)
                do {
                    try event("beforeBatch") { try $0.beforeBatch(self) }
                    lossSum += Double(try forwardAndLoss().item()) * Double(batchSize)
                    examples += batchSize
                    try event("afterBatch") { try $0.afterBatch(self) }
                } catch Cancellation.batch {}
            }
        }
        validation["loss"] = lossSum / Double(Swift.max(examples, 1))
        try event("afterValidate", checked: true) { try $0.afterValidate(self) }
        return validation
    }

    /// Runs `handler` on every callback in order; where `checked` (or on an epoch's first batch), then checks that
    /// the callback left the model's parameters as they were.
    private func event(_ name: String, checked: Bool = false, _ handler: (Callback) throws -> Void) throws {
        for callback in callbacks {
            try handler(callback)
            if checked || checksStructure {
                let now = model.currentParameterShapes()
                if now != structure {
                    throw TrainingError.modelChanged(callback: callback.name, event: name,
                                                     before: structure.filter { !now.contains($0) },
                                                     after: now.filter { !structure.contains($0) })
                }
            }
        }
    }
}
