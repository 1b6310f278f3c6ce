import ArgumentParser
import Foundation
import SwiftGrad

/// Everything that decides a language model run's numbers, saved in its training state so that `--resume` continues
/// it as it was set up.
struct LanguageModelSettings: Codable, Equatable {
    /// The model; its vocabulary size is the text's.
    var model: GPTConfiguration
    /// The `--text` file (nil: the standard corpus).
    var text: String?
    /// Characters in the text: resumed on another text, a run would silently change course.
    var textCharacters: Int
    var batchSize: Int
    /// Validations, each after `stepsPerValidation` steps: the learner's epochs.
    var validations: Int
    var stepsPerValidation: Int
    var optimizer: OptimizerKind
    var learningRate: Float
    var weightDecay: Float
    var schedule: ScheduleKind
    var seed: UInt64
    /// What the forward passes compute in (nil: float32, as runs saved before there was a choice).
    var precision: Precision?

    /// Optimizer steps in all.
    var steps: Int { validations * stepsPerValidation }

    /// The settings of a new run on `text` (its characters and vocabulary known), from the options given.
    init(options: RunOptions, model: LanguageModelOptions, corpus: TextCorpus, vocabularySize: Int, trainTokens: Int) {
        let optimizer = options.optimizer.flatMap(OptimizerKind.init(rawValue:)) ?? TrainDefaults.optimizer
        let configuration = model.configuration(vocabularySize: vocabularySize)
        let batchSize = options.batchSize ?? LanguageModelDefaults.batchSize
        // --epochs count passes over the training text: as many windows as it holds, side by side.
        let passSteps = (trainTokens + batchSize * configuration.contextLength - 1) / (batchSize * configuration.contextLength)
        let steps = model.steps ?? options.epochs.map { $0 * passSteps } ?? LanguageModelDefaults.steps
        let interval = model.evalInterval ?? LanguageModelDefaults.validationInterval
        validations = Swift.max(1, Int((Double(steps) / Double(interval)).rounded()))
        stepsPerValidation = (steps + validations - 1) / validations
        self.model = configuration
        (text, textCharacters, self.batchSize) = (model.text, corpus.text.unicodeScalars.count, batchSize)
        (self.optimizer, learningRate) = (optimizer, options.lr ?? LanguageModelDefaults.learningRate)
        weightDecay = options.weightDecay ?? TrainDefaults.weightDecay(optimizer)
        schedule = options.schedule.flatMap(ScheduleKind.init(rawValue:)) ?? TrainDefaults.schedule
        seed = options.seed ?? TrainDefaults.seed
        precision = options.precision ?? .float32
    }

    /// One line for the report.
    var description: String {
        "\(optimizer.displayName) lr \(learningRate) weight decay \(weightDecay), \(schedule.rawValue) schedule, "
            + "\(steps) steps of batches of \(batchSize), validated every \(stepsPerValidation) steps, seed \(seed)"
            + (precision == .bfloat16 ? ", bfloat16 mixed precision" : "")
    }

    /// Throws, naming the option, when an option given to `--resume` disagrees with these settings.
    func checkAgreement(options: RunOptions, model: LanguageModelOptions) throws {
        func agree<Value: Equatable>(_ flag: String, _ given: Value?, _ saved: Value) throws {
            guard let given, given != saved else { return }
            throw ValidationError("\(flag) \(given) differs from the saved run's \(saved): --resume continues a run with its own settings; leave \(flag) out, or start a new run with another --out")
        }
        try agree("--text", model.text, text ?? "(the standard text)")
        try agree("--layers", model.layers, self.model.layers)
        try agree("--heads", model.heads, self.model.heads)
        try agree("--embedding", model.embedding, self.model.embedding)
        try agree("--context", model.context, self.model.contextLength)
        try agree("--dropout", model.dropout, self.model.dropout)
        try agree("--steps", model.steps, steps)
        try agree("--eval-interval", model.evalInterval, stepsPerValidation)
        try agree("--batch-size", options.batchSize, batchSize)
        try agree("--optimizer", options.optimizer, optimizer.rawValue)
        try agree("--lr", options.lr, learningRate)
        try agree("--weight-decay", options.weightDecay, weightDecay)
        try agree("--schedule", options.schedule, schedule.rawValue)
        try agree("--seed", options.seed, seed)
        try agree("--precision", options.precision?.rawValue, (precision ?? .float32).rawValue)
        if options.epochs != nil { throw ValidationError("--epochs cannot be given with --resume of a gpt run (its length is in steps)") }
    }
}

/// A language model's file: the parameters under nanoGPT's names, and in the metadata the model's sizes and its
/// vocabulary, so `swiftgrad generate` needs nothing else.
enum LanguageModelFile {
    static let configurationKey = "swiftgrad.gpt", vocabularyKey = "swiftgrad.vocabulary"
    /// The training-state metadata key of a run's settings.
    static let settingsKey = "swiftgrad.gpt.settings"

    static func metadata(_ configuration: GPTConfiguration, vocabulary: CharacterVocabulary, corpus: String) throws -> [String: String] {
        ["swiftgrad.arch": "gpt", configurationKey: try json(configuration), vocabularyKey: try json(vocabulary),
         "swiftgrad.corpus": corpus]
    }

    /// The model in `url` (a model file, or a run folder holding `model.safetensors`) and its vocabulary.
    ///
    /// - Throws: `CheckpointError` for a missing or corrupt file, one that holds another kind of model, or tensors that
    ///   do not fit the sizes its metadata records.
    static func load(_ url: URL) throws -> (model: GPT, vocabulary: CharacterVocabulary) {
        var isFolder: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) && isFolder.boolValue
            ? Checkpointing.modelFile(in: url) : url
        let (tensors, metadata) = try SafeTensors.readWithMetadata(file)
        guard metadata["swiftgrad.arch"] == "gpt", let configurationText = metadata[configurationKey],
              let vocabularyText = metadata[vocabularyKey] else {
            let kind = metadata["swiftgrad.arch"].map { "an \($0) classifier" } ?? "no SwiftGrad GPT (no swiftgrad.gpt metadata)"
            throw CheckpointError(path: file.path, problem: "holds \(kind), not a language model trained by swiftgrad train --arch gpt")
        }
        guard let configuration = try? JSONDecoder().decode(GPTConfiguration.self, from: Data(configurationText.utf8)),
              configuration.problem == nil,
              let vocabulary = try? JSONDecoder().decode(CharacterVocabulary.self, from: Data(vocabularyText.utf8)),
              vocabulary.count == configuration.vocabularySize else {
            throw CheckpointError(path: file.path, problem: "its GPT metadata is not one this version of SwiftGrad can read")
        }
        let model = GPT(configuration)
        do {
            try model.loadStateDict(tensors)
        } catch {
            throw CheckpointError(path: file.path, problem: "\(error)")
        }
        return (model, vocabulary)
    }

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}

extension RunFolder {
    /// The settings of the language model run saved here.
    func loadLanguageModelSettings() throws -> LanguageModelSettings {
        guard let settings = try savedSettings(LanguageModelSettings.self, key: LanguageModelFile.settingsKey) else {
            throw CheckpointError(path: state.path, problem: "holds no gpt run that this version of SwiftGrad can resume (another --arch?)")
        }
        return settings
    }
}
