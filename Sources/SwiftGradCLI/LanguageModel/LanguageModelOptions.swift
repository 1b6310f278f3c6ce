import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad train --arch gpt`'s own options: the text and the model's sizes, and the budget in steps.
struct LanguageModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("--arch gpt: the text to learn (UTF-8). (default: the fortunes package's texts when installed, else Hamlet and Macbeth, shipped with SwiftGrad)", valueName: "file"))
    var text: String?

    @Option(help: "--arch gpt: transformer blocks. (default: \(LanguageModelDefaults.layers))")
    var layers: Int?

    @Option(help: "--arch gpt: attention heads; they divide --embedding. (default: \(LanguageModelDefaults.heads))")
    var heads: Int?

    @Option(help: "--arch gpt: features per position. (default: \(LanguageModelDefaults.embedding))")
    var embedding: Int?

    @Option(help: "--arch gpt: characters the model reads at once. (default: \(LanguageModelDefaults.context))")
    var context: Int?

    @Option(help: "--arch gpt: dropout probability. (default: 0)")
    var dropout: Float?

    @Option(help: "--arch gpt: optimizer steps (batches) to train; instead of --epochs, which count passes over the text. (default: \(LanguageModelDefaults.steps))")
    var steps: Int?

    @Option(help: "--arch gpt: steps between validations (rounded so that the run's steps split evenly). (default: \(LanguageModelDefaults.validationInterval))")
    var evalInterval: Int?

    /// The flags given, for refusing them without `--arch gpt`.
    var given: [String] {
        [("--text", text != nil), ("--layers", layers != nil), ("--heads", heads != nil), ("--embedding", embedding != nil),
         ("--context", context != nil), ("--dropout", dropout != nil), ("--steps", steps != nil),
         ("--eval-interval", evalInterval != nil)].filter(\.1).map(\.0)
    }

    /// Checks each option given, and the model they make.
    func validate(epochs: Int?) throws {
        for (flag, value) in [("--layers", layers), ("--heads", heads), ("--embedding", embedding), ("--context", context),
                              ("--steps", steps), ("--eval-interval", evalInterval)] {
            if let value, value < 1 { throw ValidationError("\(flag) must be at least 1, got \(value)") }
        }
        if let dropout, !(dropout >= 0 && dropout < 1) { throw ValidationError("--dropout must be at least 0 and under 1, got \(dropout)") }
        if steps != nil && epochs != nil { throw ValidationError("--steps and --epochs both set the length of the run; give one") }
        if let problem = configuration(vocabularySize: 1).problem { throw ValidationError("--arch gpt: \(problem)") }
    }

    /// The model these options describe, for a vocabulary of `vocabularySize` symbols.
    func configuration(vocabularySize: Int) -> GPTConfiguration {
        GPTConfiguration(vocabularySize: vocabularySize, contextLength: context ?? LanguageModelDefaults.context,
                         layers: layers ?? LanguageModelDefaults.layers, heads: heads ?? LanguageModelDefaults.heads,
                         embedding: embedding ?? LanguageModelDefaults.embedding, dropout: dropout ?? 0)
    }
}

/// The defaults of `--arch gpt`: nanoGPT's recipe for a character-level model on a CPU (4 blocks of 128 features in
/// 4 heads, 64 characters of context, batches of 12, AdamW at 1e-3, 2000 steps).
enum LanguageModelDefaults {
    static let layers = 4, heads = 4, embedding = 128, context = 64, batchSize = 12, steps = 2000
    static let learningRate: Float = 1e-3
    /// Steps between validations, about: a run's steps are split into equal intervals of about this many
    /// (`--eval-interval`).
    static let validationInterval = 250
    /// The most validation windows read each time (nanoGPT's `eval_iters` × its batch, about).
    static let validationWindows = 2400
}
