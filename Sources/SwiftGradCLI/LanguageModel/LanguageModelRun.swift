import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad train --arch gpt`'s run: a character-level ``GPT`` on a text split 90/10 into training and validation,
/// trained by a ``Learner`` whose epochs are the intervals between validations, with the callbacks of an image run
/// (progress, checkpoints with exact resume, Ctrl-C, `metrics.json`, `curves.svg`).
final class LanguageModelRun {
    let settings: LanguageModelSettings
    let vocabulary: CharacterVocabulary
    let model: GPT
    let learner: Learner
    let folder: RunFolder
    let stepTimes = StepTimes()
    /// Characters of training and validation text.
    let split: (train: Int, validation: Int)

    init(settings: LanguageModelSettings, corpus: TextCorpus, vocabulary: CharacterVocabulary, folder: RunFolder,
         live: Bool) throws {
        (self.settings, self.vocabulary, self.folder) = (settings, vocabulary, folder)
        let tokens = try vocabulary.encode(corpus.text)
        let cut = tokens.count * 9 / 10
        let context = settings.model.contextLength
        guard tokens.count - cut > context else {
            throw DatasetError(path: corpus.source, problem: "\(tokens.count) characters are too few: its last tenth, kept for validation, must be longer than the context of \(context)")
        }
        split = (cut, tokens.count - cut)
        let train = try TextDataset(tokens: Array(tokens[..<cut]), contextLength: context,
                                    windows: .random(count: settings.stepsPerValidation * settings.batchSize))
        let valid = try TextDataset(tokens: Array(tokens[cut...]), contextLength: context,
                                    windows: .consecutive(limit: LanguageModelDefaults.validationWindows))
        model = GPT(settings.model, generator: RandomGenerator(seed: settings.seed))
        let data = DataLoaders(train: DataLoader(train, batchSize: settings.batchSize, shuffle: true, seed: settings.seed),
                               valid: DataLoader(valid, batchSize: Swift.max(1, 4096 / context)))
        let optimizer = settings.optimizer.make(model.parameters(), learningRate: settings.learningRate,
                                                momentum: settings.optimizer == .sgd ? TrainDefaults.momentum : 0,
                                                weightDecay: settings.weightDecay)
        let checkpointing = Checkpointing(
            folder: folder.url,
            modelMetadata: try LanguageModelFile.metadata(settings.model, vocabulary: vocabulary, corpus: corpus.source),
            stateMetadata: [LanguageModelFile.settingsKey: try LanguageModelFile.json(settings)])
        let (steps, times) = (settings.stepsPerValidation, stepTimes)
        let metricsFile = RunMetricsFile(url: folder.metrics) { LanguageModelMetrics($0, stepsPerEpoch: steps, stepTimes: times).json }
        let callbacks: [Callback] = [
            stepTimes, NonFiniteLossStop(),
            InterruptStop(checkpointing: checkpointing, metricsFile: metricsFile, stop: { Interrupt.requested }),
            ProgressReport(live: live, unit: "seq"), checkpointing, metricsFile,
            TrainingCurves(url: folder.curves, stepsPerEpoch: steps),
        ]
        let loss = Loss("cross-entropy") { crossEntropy(logits: $0, targets: $1, classAxis: -1) }
        learner = Learner(model: model, data: data, loss: loss, optimizer: optimizer, schedule: settings.schedule,
                          callbacks: callbacks, precision: settings.precision ?? .float32)
    }

    /// Trains the remaining steps. Throws ``TrainingStopped`` when interrupted or when the loss stops being finite.
    func fit() throws {
        do {
            try learner.fit(epochs: settings.validations)
        } catch let error as TrainingError {
            guard case .nonFiniteLoss = error else { throw error }
            throw TrainingStopped(message: "\(error); the last good checkpoint is in \(folder.url.path). Try a lower --lr.", code: 1)
        }
    }
}

/// The seconds each training step takes (forward, backward and the optimizer's update), for the median step time.
final class StepTimes: Callback {
    private(set) var seconds: [Double] = []
    private var start = 0.0

    func beforeBatch(_ learner: Learner) throws {
        if learner.isTraining { start = Date.timeIntervalSinceReferenceDate }
    }

    func afterBatch(_ learner: Learner) throws {
        if learner.isTraining { seconds.append(Date.timeIntervalSinceReferenceDate - start) }
    }

    /// The median step time in milliseconds (0 before the first step).
    var medianMilliseconds: Double {
        let sorted = seconds.sorted()
        return sorted.isEmpty ? 0 : 1000 * sorted[sorted.count / 2]
    }
}

/// A language model run's `metrics.json` and `--json` line: the last validation loss (nats per character), the
/// median step time, and each validation.
struct LanguageModelMetrics: Encodable {
    struct Point: Encodable {
        let step: Int
        let trainLoss: Double, validationLoss: Double, trainSeconds: Double
        enum CodingKeys: String, CodingKey {
            case step, trainLoss = "train_loss", validationLoss = "validation_loss", trainSeconds = "train_seconds"
        }
    }

    let validationLoss: Double
    let medianStepMilliseconds: Double
    let steps: Int
    let validations: [Point]

    enum CodingKeys: String, CodingKey {
        case validationLoss = "validation_loss", medianStepMilliseconds = "median_step_ms", steps, validations
    }

    init(_ learner: Learner, stepsPerEpoch: Int, stepTimes: StepTimes) {
        validations = learner.history.map {
            Point(step: $0.epoch * stepsPerEpoch, trainLoss: $0.trainLoss, validationLoss: $0.validationLoss ?? .nan,
                  trainSeconds: $0.trainSeconds)
        }
        validationLoss = validations.last?.validationLoss ?? .nan
        medianStepMilliseconds = stepTimes.medianMilliseconds
        steps = (learner.history.last?.epoch ?? 0) * stepsPerEpoch
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
