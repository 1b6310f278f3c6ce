import Foundation
import NN
import TensorCore
import Tokenizers

/// A sentence-transformers model run in Swift: a BERT model folder (all-MiniLM-L6-v2, say) with the pipeline its
/// `modules.json` names — the transformer, pooling over the tokens (mean over the attention mask, or the `[CLS]`
/// position), and L2 normalisation when listed — giving the embeddings sentence-transformers gives.
///
/// ```swift
/// let embedder = try SentenceEmbedder(folder: URL(filePath: "all-MiniLM-L6-v2"))
/// let vectors = embedder.embed(["A cat sits.", "A dog runs."])      // [2, 384], unit length
/// ```
public final class SentenceEmbedder {
    /// How token vectors become one sentence vector.
    public enum Pooling: String, Sendable {
        /// The mean of the tokens' vectors, padding left out.
        case mean
        /// The `[CLS]` position's vector.
        case classToken
    }

    /// The transformer.
    public let model: BertModel
    /// Its tokenizer, cut at the pipeline's `max_seq_length`.
    public let tokenizer: WordPieceTokenizer
    /// The pooling the pipeline names.
    public let pooling: Pooling
    /// Whether the pipeline normalises the embeddings to unit length.
    public let normalizes: Bool

    /// The model in `folder`: `config.json` (a BERT), `model.safetensors`, `tokenizer.json` (or `vocab.txt`),
    /// and the sentence-transformers files `modules.json`, `1_Pooling/config.json` and `sentence_bert_config.json`
    /// where present (without them: mean pooling, no normalisation, the model's positions).
    ///
    /// - Throws: ``PretrainedError`` naming the file for anything missing, unreadable or unsupported.
    public init(folder: URL) throws {
        let folder = ModelFolder(url: folder)
        let configuration: BertConfiguration
        do { configuration = try BertConfiguration(huggingFace: try folder.json("config.json")) } catch let error as ConfigurationError {
            throw PretrainedError(path: folder.file("config.json").path, problem: error.problem)
        }
        model = try folder.loadModel({ BertModel(configuration) }, optional: ["pooler.dense.weight", "pooler.dense.bias"]) { name in
            let short = name.hasPrefix("bert.") ? String(name.dropFirst(5)) : name
            return short == "embeddings.position_ids" ? nil : short
        }
        model.eval()
        var maxLength = configuration.maxPositions
        if folder.has("sentence_bert_config.json"),
           let length = (try folder.json("sentence_bert_config.json")["max_seq_length"] as? NSNumber)?.intValue {
            maxLength = Swift.min(length, maxLength)
        }
        var tokenizer: WordPieceTokenizer
        do {
            tokenizer = folder.has("tokenizer.json") ? try WordPieceTokenizer(contentsOf: folder.file("tokenizer.json"))
                : try WordPieceTokenizer(vocabularyFile: folder.file("vocab.txt"))
        } catch let error as TokenizerError {
            throw PretrainedError(path: error.path, problem: error.problem)
        }
        tokenizer.maxLength = maxLength
        self.tokenizer = tokenizer
        (pooling, normalizes) = try Self.pipeline(folder)
    }

    /// The pooling and normalisation `modules.json` names (mean and none without one).
    private static func pipeline(_ folder: ModelFolder) throws -> (Pooling, Bool) {
        guard folder.has("modules.json") else { return (.mean, false) }
        let modules = try folder.jsonArray("modules.json")
        var (pooling, normalizes) = (Pooling.mean, false)
        for module in modules {
            let type = module["type"] as? String ?? ""
            switch type {
            case "sentence_transformers.models.Transformer": continue
            case "sentence_transformers.models.Normalize": normalizes = true
            case "sentence_transformers.models.Pooling":
                let path = (module["path"] as? String).map { $0 + "/config.json" } ?? "1_Pooling/config.json"
                let options = try folder.json(path)
                if options["pooling_mode_cls_token"] as? Bool == true {
                    pooling = .classToken
                } else if options["pooling_mode_mean_tokens"] as? Bool != true {
                    throw PretrainedError(path: folder.file(path).path, problem: "only mean and [CLS] pooling are supported")
                }
            default:
                throw PretrainedError(path: folder.file("modules.json").path, problem: "module type \(type) is not supported")
            }
        }
        return (pooling, normalizes)
    }

    /// The embeddings of `sentences`, in their order, `batchSize` sentences at a time, run without gradients.
    /// A batch is not padded (each sentence attends over its own tokens), so no sorting by length is needed.
    ///
    /// **Shapes:** → `[sentences.count, hiddenSize]`.
    public func embed(_ sentences: [String], batchSize: Int = 32) -> Tensor {
        embed(encodings: sentences.map { tokenizer.encode($0) }, batchSize: batchSize)
    }

    /// The embeddings of sentences already encoded by ``tokenizer`` (whose lengths a caller may want to look at
    /// first, to say that some were cut), in their order.
    ///
    /// **Shapes:** → `[encodings.count, hiddenSize]`.
    public func embed(encodings: [Encoding], batchSize: Int = 32) -> Tensor {
        require(batchSize >= 1, "SentenceEmbedder.embed: batchSize must be at least 1, got \(batchSize)")
        guard !encodings.isEmpty else { return Tensor.zeros([0, model.configuration.hiddenSize]) }
        return withoutGradient {
            Tensor.concatenated(stride(from: 0, to: encodings.count, by: batchSize).map { start in
                embedBatch(Array(encodings[start..<Swift.min(start + batchSize, encodings.count)]))
            })
        }
    }

    /// One batch of encodings through the model, unpadded (``BertModel/packedHiddenStates(_:lengths:typeIds:)``),
    /// and the pooling.
    private func embedBatch(_ encodings: [Encoding]) -> Tensor {
        let lengths = encodings.map(\.count)
        let hidden = model.packedHiddenStates(Tensor(shape: [lengths.reduce(0, +)], integers: encodings.flatMap(\.ids)),
                                              lengths: lengths,
                                              typeIds: Tensor(shape: [lengths.reduce(0, +)], integers: encodings.flatMap(\.typeIds)))
        var rows: [Tensor] = [], start = 0
        for length in lengths {
            rows.append(length == 0 ? Tensor.zeros([model.configuration.hiddenSize])
                : pooling == .classToken ? hidden[start] : hidden[start..<(start + length)].mean(axis: 0))
            start += length
        }
        var pooled = Tensor.stacked(rows)
        if normalizes {
            pooled = pooled / (pooled * pooled).sum(axis: 1, keepDims: true).sqrt().clamped(min: 1e-12)
        }
        return pooled
    }
}
