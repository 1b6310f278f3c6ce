import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad generate`: text from a language model that `swiftgrad train --arch gpt` trained, streamed as it is
/// sampled.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Sample text from a GPT trained by `swiftgrad train --arch gpt`, or a GPT-2 folder, printed as it is produced.",
        discussion: """
            Each token costs one position: the keys and values of the positions before it are cached (--no-cache \
            computes the whole prefix at every token, as nanoGPT's sampler does, with the same result). Past the \
            model's context the last --context characters are read. A Hugging Face GPT-2-family folder (config.json, \
            model.safetensors, tokenizer.json or vocab.json + merges.txt) works the same way, in its own tokens.
            """
    )

    @Option(help: "A run folder (with model.safetensors), a model file, or a GPT-2 folder (with config.json).")
    var model: String = "runs/latest"

    @Option(help: "Text to continue; every character must be in the model's vocabulary. (default: a new line)")
    var prompt: String?

    @Option(help: "Characters to generate.")
    var tokens = 500

    @Option(help: "Below 1 more predictable, above 1 more varied; 0 always takes the likeliest character.")
    var temperature: Float = 0.8

    @Option(name: .customLong("top-k"), help: "Draw from the K likeliest characters only.")
    var topK: Int?

    @Option(help: "Seed of the draws.")
    var seed: UInt64 = 0

    @Flag(help: "Compute the whole prefix at every token instead of caching keys and values.")
    var noCache = false

    @OptionGroup var weights: WeightsOption

    @OptionGroup var threadsOption: ThreadsOption

    func validate() throws {
        guard tokens >= 0 else { throw ValidationError("--tokens must not be negative, got \(tokens)") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be 0 or more, got \(temperature)") }
        if let topK, topK < 1 { throw ValidationError("--top-k must be at least 1, got \(topK)") }
        if let prompt, prompt.isEmpty { throw ValidationError("--prompt is empty; leave it out to start from a new line") }
    }

    func run() throws {
        threadsOption.apply()
        let url = URL(fileURLWithPath: model)
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("config.json").path) {
            return try generatePretrained(url)
        }
        let (gpt, vocabulary) = try LanguageModelFile.load(url)
        weights.apply(to: gpt)
        let text = prompt ?? (vocabulary.symbols.contains("\n") ? "\n" : vocabulary.symbols[0])
        let ids: [Int]
        do {
            ids = try vocabulary.encode(text)
        } catch let error as DatasetError {
            throw ValidationError("--prompt: \(error.problem)")
        }
        let context = gpt.configuration.contextLength
        guard ids.count <= context else {
            throw ValidationError("--prompt has \(ids.count) characters; the model reads at most \(context)")
        }
        print(text, terminator: "")
        fflush(nil)
        _ = gpt.generate(after: ids, count: tokens, sampling: Sampling(temperature: temperature, topK: topK), cache: !noCache,
                         generator: RandomGenerator(seed: seed)) { token in
            print(vocabulary.symbols[token], terminator: "")
            fflush(nil)
        }
        print()
    }

    /// Text from a Hugging Face GPT-2-family folder, streamed as its bytes make whole characters.
    private func generatePretrained(_ folder: URL) throws {
        let generator = try TextGenerator(folder: folder)
        weights.apply(to: generator.model)
        let text = prompt ?? "\n"
        let count = generator.tokenizer.encode(text).count
        guard count <= generator.model.configuration.contextLength else {
            throw ValidationError("--prompt has \(count) tokens; the model reads at most \(generator.model.configuration.contextLength)")
        }
        print(text, terminator: "")
        fflush(nil)
        _ = generator.generate(after: text, tokens: tokens, sampling: Sampling(temperature: temperature, topK: topK),
                               cache: !noCache, generator: RandomGenerator(seed: seed)) { piece in
            print(piece, terminator: "")
            fflush(nil)
        }
        print()
    }
}
