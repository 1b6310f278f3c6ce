import Foundation
import NN
import TensorCore
import Tokenizers

/// A GPT-2-family model run in Swift: a Hugging Face folder of `GPT2LMHeadModel` (`config.json`,
/// `model.safetensors`, and `tokenizer.json` or `vocab.json` + `merges.txt`) loaded into SwiftGrad's own `GPT`
/// (its `Conv1D` weights, stored input by output, transposed; the `transformer.` prefix taken where present; the
/// causal-mask buffers of older files ignored; `lm_head` tied to `wte`), generating with the key/value cache.
///
/// ```swift
/// let gpt2 = try TextGenerator(folder: URL(filePath: "gpt2"))
/// let text = gpt2.generate(after: "Hello, my name is", tokens: 20, sampling: Sampling(temperature: 0))
/// ```
public final class TextGenerator {
    /// The model.
    public let model: GPT
    /// Its byte-level BPE tokenizer.
    public let tokenizer: ByteLevelBPETokenizer

    /// The model in `folder`.
    ///
    /// - Throws: ``PretrainedError`` naming the file for anything missing, unreadable or unsupported (a
    ///   `model_type` other than gpt2, an activation other than GELU, weights that do not fit).
    public init(folder: URL) throws {
        let folder = ModelFolder(url: folder)
        let json = try folder.json("config.json")
        let path = folder.file("config.json").path
        let type = json["model_type"] as? String ?? "none"
        guard type == "gpt2" else { throw PretrainedError(path: path, problem: "model_type \(type) is not supported (gpt2 is)") }
        func size(_ key: String) throws -> Int {
            guard let value = (json[key] as? NSNumber)?.intValue, value >= 1 else {
                throw PretrainedError(path: path, problem: "\(key) must be a positive whole number, got \(json[key] ?? "nothing")")
            }
            return value
        }
        let activation: GELUApproximation
        switch json["activation_function"] as? String ?? "gelu_new" {
        case "gelu_new", "gelu_pytorch_tanh": activation = .tanh
        case "gelu": activation = .none
        case let other: throw PretrainedError(path: path, problem: "activation_function \(other) is not supported (gelu_new, gelu are)")
        }
        let configuration = GPTConfiguration(
            vocabularySize: try size("vocab_size"), contextLength: try size("n_positions"), layers: try size("n_layer"),
            heads: try size("n_head"), embedding: try size("n_embd"), activation: activation,
            layerNormEpsilon: (json["layer_norm_epsilon"] as? NSNumber)?.floatValue ?? 1e-5)
        if let problem = configuration.problem { throw PretrainedError(path: path, problem: problem) }
        let transposed: Set<String> = ["attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"]
        model = try folder.loadModel({ GPT(configuration) }, optional: ["lm_head.weight"], rename: { name in
            if name.hasSuffix(".attn.bias") || name.hasSuffix(".attn.masked_bias") { return nil }
            return name.hasPrefix("transformer.") || name.hasPrefix("lm_head.") ? name : "transformer." + name
        }, adapt: { name, tensor in
            transposed.contains { name.hasSuffix($0) } ? tensor.transposed().contiguous() : tensor
        })
        model.eval()
        do {
            tokenizer = folder.has("tokenizer.json") ? try ByteLevelBPETokenizer(contentsOf: folder.file("tokenizer.json"))
                : try ByteLevelBPETokenizer(vocabularyFile: folder.file("vocab.json"), mergesFile: folder.file("merges.txt"))
        } catch let error as TokenizerError {
            throw PretrainedError(path: error.path, problem: error.problem)
        }
    }

    /// `tokens` new tokens after `prompt`, decoded; `onText` gets each piece of text as soon as its bytes make whole
    /// characters. `cache` keeps each layer's keys and values (`GPT.generate(after:count:sampling:cache:generator:onToken:)`).
    public func generate(after prompt: String, tokens: Int, sampling: Sampling = Sampling(), cache: Bool = true,
                         generator: RandomGenerator? = nil, onText: (String) -> Void = { _ in }) -> String {
        let ids = tokenizer.encode(prompt).ids
        require(!ids.isEmpty, "TextGenerator.generate: the prompt is empty")
        var pending: [Int] = [], text = ""
        _ = model.generate(after: ids, count: tokens, sampling: sampling, cache: cache, generator: generator) { id in
            pending.append(id)
            let piece = tokenizer.decode(pending)
            guard !piece.unicodeScalars.contains("\u{FFFD}") else { return }
            text += piece
            onText(piece)
            pending.removeAll()
        }
        if !pending.isEmpty {
            let rest = tokenizer.decode(pending)
            text += rest
            onText(rest)
        }
        return text
    }
}
