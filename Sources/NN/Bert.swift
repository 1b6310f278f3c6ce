import Foundation
import TensorCore

/// The sizes of a ``BertModel``, as a Hugging Face `config.json` of `model_type` `bert` gives them.
public struct BertConfiguration: Sendable, Equatable {
    /// Tokens in the vocabulary (`vocab_size`).
    public var vocabularySize: Int
    /// Features per position (`hidden_size`).
    public var hiddenSize: Int
    /// Encoder layers (`num_hidden_layers`).
    public var layers: Int
    /// Attention heads per layer (`num_attention_heads`); they divide `hiddenSize`.
    public var heads: Int
    /// The feed-forward network's width (`intermediate_size`).
    public var intermediateSize: Int
    /// The most positions the model reads (`max_position_embeddings`).
    public var maxPositions: Int
    /// Segment types (`type_vocab_size`).
    public var typeVocabularySize: Int
    /// The layer norms' epsilon (`layer_norm_eps`).
    public var layerNormEpsilon: Float
    /// The feed-forward activation: exact GELU (`gelu`) or its tanh form (`gelu_new`, `gelu_pytorch_tanh`).
    public var activation: GELUApproximation

    /// A configuration; `heads` must divide `hiddenSize`.
    public init(vocabularySize: Int, hiddenSize: Int, layers: Int, heads: Int, intermediateSize: Int, maxPositions: Int = 512,
                typeVocabularySize: Int = 2, layerNormEpsilon: Float = 1e-12, activation: GELUApproximation = .none) {
        (self.vocabularySize, self.hiddenSize, self.layers, self.heads) = (vocabularySize, hiddenSize, layers, heads)
        (self.intermediateSize, self.maxPositions, self.typeVocabularySize) = (intermediateSize, maxPositions, typeVocabularySize)
        (self.layerNormEpsilon, self.activation) = (layerNormEpsilon, activation)
    }

    /// The configuration in a `config.json` object, refusing (with the reason) any `model_type` but `bert`, any
    /// position embedding but `absolute`, any activation but GELU, and sizes that cannot make a model.
    public init(huggingFace json: [String: Any]) throws(ConfigurationError) {
        func size(_ key: String, _ fallback: Int? = nil) throws(ConfigurationError) -> Int {
            guard let value = (json[key] as? NSNumber)?.intValue ?? fallback, value >= 1 else {
                throw ConfigurationError(problem: "\(key) must be a positive whole number, got \(json[key] ?? "nothing")")
            }
            return value
        }
        let type = json["model_type"] as? String ?? "none"
        guard type == "bert" else { throw ConfigurationError(problem: "model_type \(type) is not supported (bert is)") }
        let positions = json["position_embedding_type"] as? String ?? "absolute"
        guard positions == "absolute" else {
            throw ConfigurationError(problem: "position_embedding_type \(positions) is not supported (absolute is)")
        }
        let activation: GELUApproximation
        switch json["hidden_act"] as? String ?? "gelu" {
        case "gelu": activation = .none
        case "gelu_new", "gelu_pytorch_tanh": activation = .tanh
        case let other: throw ConfigurationError(problem: "hidden_act \(other) is not supported (gelu, gelu_new are)")
        }
        self.init(vocabularySize: try size("vocab_size"), hiddenSize: try size("hidden_size"), layers: try size("num_hidden_layers"),
                  heads: try size("num_attention_heads"), intermediateSize: try size("intermediate_size"),
                  maxPositions: try size("max_position_embeddings", 512), typeVocabularySize: try size("type_vocab_size", 2),
                  layerNormEpsilon: (json["layer_norm_eps"] as? NSNumber)?.floatValue ?? 1e-12, activation: activation)
        guard hiddenSize % heads == 0 else {
            throw ConfigurationError(problem: "num_attention_heads \(heads) does not divide hidden_size \(hiddenSize)")
        }
    }
}

/// Why a model configuration cannot be used: one line.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// What is wrong.
    public let problem: String
    /// An error saying `problem`.
    public init(problem: String) { self.problem = problem }
    public var description: String { problem }
}

/// BERT's encoder, as Hugging Face's `BertModel`: word, position and segment embeddings summed and normalised,
/// then `layers` post-norm transformer layers (self-attention, GELU feed-forward), under its state-dict names
/// (`embeddings.word_embeddings.weight`, `encoder.layer.0.attention.self.query.weight`, …, `pooler.dense.weight`),
/// built from SwiftGrad's own modules and the fused attention.
///
/// **Shapes:** token ids `[B, T]` (T ≤ `maxPositions`) → hidden states `[B, T, hiddenSize]`.
public final class BertModel: Module {
    /// The model's sizes.
    public let configuration: BertConfiguration
    /// Word, position and segment embeddings, and their layer norm.
    public let wordEmbeddings: Embedding, positionEmbeddings: Embedding, typeEmbeddings: Embedding
    /// The norm after the embeddings are summed.
    public let embeddingNorm: LayerNorm
    /// The encoder layers.
    public let layers: [BertLayer]
    /// The pooler's dense layer (the `[CLS]` position through it and tanh: `pooledOutput(_:)`).
    public let pooler: Linear

    /// A model of `configuration`'s sizes with random weights (to be loaded with ``Module/loadStateDict(_:strict:assign:)``).
    public init(_ configuration: BertConfiguration, generator: RandomGenerator? = nil) {
        let c = configuration
        self.configuration = c
        wordEmbeddings = Embedding(c.vocabularySize, c.hiddenSize, generator: generator)
        positionEmbeddings = Embedding(c.maxPositions, c.hiddenSize, generator: generator)
        typeEmbeddings = Embedding(c.typeVocabularySize, c.hiddenSize, generator: generator)
        embeddingNorm = LayerNorm(c.hiddenSize, epsilon: c.layerNormEpsilon)
        layers = (0..<c.layers).map { _ in BertLayer(c, generator: generator) }
        pooler = Linear(c.hiddenSize, c.hiddenSize, generator: generator)
    }

    /// Self-attention over `tokens` only (no padding, one segment).
    public override func forward(_ tokens: Tensor) -> Tensor { hiddenStates(tokens) }

    /// The last layer's hidden states of `tokens`, with segment ids `typeIds` (zeros by default) and
    /// `attentionMask` (1 for tokens, 0 for padding, which no position attends to).
    ///
    /// **Shapes:** `[B, T]` each → `[B, T, hiddenSize]`.
    public func hiddenStates(_ tokens: Tensor, typeIds: Tensor? = nil, attentionMask: Tensor? = nil) -> Tensor {
        require(tokens.rank == 2, "BertModel: tokens must be [batch, time], got \(tokens.shape)")
        let (batch, time) = (tokens.shape[0], tokens.shape[1])
        require(time <= configuration.maxPositions,
                "BertModel: \(time) positions exceed the model's \(configuration.maxPositions)")
        for (name, tensor) in [("typeIds", typeIds), ("attentionMask", attentionMask)] {
            if let tensor { require(tensor.shape == tokens.shape, "BertModel: \(name) \(tensor.shape) must be the tokens' shape \(tokens.shape)") }
        }
        let positions = Tensor.arange(0, Float(time), dtype: .int64)
        let types = typeIds ?? Tensor.zeros([batch, time], dtype: .int64)
        var x = embedded(tokens, positions: positions, types: types)
        let mask = attentionMask.map { ($0 .!= 0).reshaped(batch, 1, 1, time) }
        for layer in layers { x = layer.forward(x, mask: mask) }
        return x
    }

    /// The last layer's hidden states of sequences of `lengths` tokens laid end to end in `tokens`, without
    /// padding (as FlashAttention's variable-length form and PyTorch's nested tensors): the feed-forward layers
    /// and norms run on the real tokens alone, and each sequence attends over its own tokens only. Row `i` of the
    /// result equals position `i - start` of the sequence that row lies in, as ``hiddenStates(_:typeIds:attentionMask:)``
    /// gives it for that sequence padded in a batch, within float rounding. For a batch of sentences of unequal
    /// lengths this skips the padding's share of the work.
    ///
    /// **Shapes:** `tokens` and `typeIds` `[N]` with N = `lengths.reduce(0, +)` → `[N, hiddenSize]`.
    public func packedHiddenStates(_ tokens: Tensor, lengths: [Int], typeIds: Tensor? = nil) -> Tensor {
        let total = lengths.reduce(0, +)
        require(tokens.rank == 1 && tokens.shape[0] == total,
                "BertModel.packedHiddenStates: tokens must be [\(total)] (the lengths' sum), got \(tokens.shape)")
        require(lengths.allSatisfy { $0 >= 0 && $0 <= configuration.maxPositions },
                "BertModel.packedHiddenStates: every length must be 0...\(configuration.maxPositions), got \(lengths)")
        if let typeIds {
            require(typeIds.shape == tokens.shape, "BertModel.packedHiddenStates: typeIds \(typeIds.shape) must be the tokens' shape \(tokens.shape)")
        }
        let positions = Tensor(shape: [total], integers: lengths.flatMap { 0..<$0 })
        let types = typeIds ?? Tensor.zeros([total], dtype: .int64)
        var x = embedded(tokens, positions: positions, types: types)
        for layer in layers { x = layer.forward(packed: x, lengths: lengths) }
        return x
    }

    /// Word, position and segment embeddings summed and normalised.
    private func embedded(_ tokens: Tensor, positions: Tensor, types: Tensor) -> Tensor {
        embeddingNorm(wordEmbeddings(tokens) + positionEmbeddings(positions) + typeEmbeddings(types))
    }

    /// The pooled output: the first position's hidden state through ``pooler`` and tanh.
    ///
    /// **Shapes:** `[B, T, hiddenSize]` → `[B, hiddenSize]`.
    public func pooledOutput(_ hiddenStates: Tensor) -> Tensor { pooler(hiddenStates[.all, 0]).tanh() }

    public override func namedChildren() -> [(String, Module)] {
        [("embeddings.word_embeddings", wordEmbeddings), ("embeddings.position_embeddings", positionEmbeddings),
         ("embeddings.token_type_embeddings", typeEmbeddings), ("embeddings.LayerNorm", embeddingNorm)]
            + layers.enumerated().map { ("encoder.layer.\($0.offset)", $0.element) } + [("pooler.dense", pooler)]
    }
}

/// One BERT encoder layer: x = norm(x + attention(x)), then norm(x + output(GELU(intermediate(x)))).
public final class BertLayer: Module {
    /// The attention's projections.
    public let query: Linear, key: Linear, value: Linear, attentionOutput: Linear
    /// The feed-forward network: `intermediate` (with GELU) and `output`.
    public let intermediate: Linear, output: Linear
    /// The norms after the attention and after the feed-forward network.
    public let attentionNorm: LayerNorm, outputNorm: LayerNorm
    private let heads: Int

    init(_ c: BertConfiguration, generator: RandomGenerator?) {
        query = Linear(c.hiddenSize, c.hiddenSize, generator: generator)
        key = Linear(c.hiddenSize, c.hiddenSize, generator: generator)
        value = Linear(c.hiddenSize, c.hiddenSize, generator: generator)
        attentionOutput = Linear(c.hiddenSize, c.hiddenSize, generator: generator)
        intermediate = Linear(c.hiddenSize, c.intermediateSize, activation: c.activation == .tanh ? .geluTanh : .gelu,
                              generator: generator)
        output = Linear(c.intermediateSize, c.hiddenSize, generator: generator)
        attentionNorm = LayerNorm(c.hiddenSize, epsilon: c.layerNormEpsilon)
        outputNorm = LayerNorm(c.hiddenSize, epsilon: c.layerNormEpsilon)
        heads = c.heads
    }

    public override func forward(_ input: Tensor) -> Tensor { forward(input, mask: nil) }

    /// The layer over `input` `[B, T, H]`, positions attending where `mask` (bool, broadcast to `[B, heads, T, T]`)
    /// is true.
    func forward(_ input: Tensor, mask: Tensor?) -> Tensor {
        let (batch, time, width) = (input.shape[0], input.shape[1], input.shape[2])
        func heads(_ x: Tensor) -> Tensor { x.reshaped(batch, time, self.heads, width / self.heads).transposed(1, 2) }
        let attended = scaledDotProductAttention(heads(query(input)), heads(key(input)), heads(value(input)), mask: mask)
        return afterAttention(input, joinHeads(attended))
    }

    /// The layer over sequences of `lengths` rows laid end to end in `input` `[N, H]`, each attending over its
    /// own rows.
    func forward(packed input: Tensor, lengths: [Int]) -> Tensor {
        let (rows, width) = (input.shape[0], input.shape[1])
        let (q, k, v) = (query(input), key(input), value(input))
        // Each sequence's output as a view [length, heads, d], so that joining them is the only copy.
        var pieces: [Tensor] = [], start = 0
        for length in lengths where length > 0 {
            func heads(_ x: Tensor) -> Tensor {
                x[start..<(start + length)].reshaped(1, length, self.heads, width / self.heads).transposed(1, 2)
            }
            pieces.append(scaledDotProductAttention(heads(q), heads(k), heads(v))[0].transposed(0, 1))
            start += length
        }
        return afterAttention(input, pieces.isEmpty ? Tensor.zeros([0, width]) : Tensor.concatenated(pieces).reshaped(rows, width))
    }

    /// The rest of the layer once the heads are joined, `attended` `[..., H]`: the output projection and norm,
    /// then the feed-forward network and its norm.
    private func afterAttention(_ input: Tensor, _ attended: Tensor) -> Tensor {
        let x = attentionNorm(input + attentionOutput(attended))
        return outputNorm(x + output(intermediate(x)))
    }

    public override func namedChildren() -> [(String, Module)] {
        [("attention.self.query", query), ("attention.self.key", key), ("attention.self.value", value),
         ("attention.output.dense", attentionOutput), ("attention.output.LayerNorm", attentionNorm),
         ("intermediate.dense", intermediate), ("output.dense", output), ("output.LayerNorm", outputNorm)]
    }
}
