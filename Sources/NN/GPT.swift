import Foundation
import TensorCore

/// The sizes of a ``GPT``, as nanoGPT's `GPTConfig`.
public struct GPTConfiguration: Codable, Sendable, Equatable {
    /// Tokens in the vocabulary.
    public var vocabularySize: Int
    /// The most positions the model reads at once (nanoGPT's `block_size`).
    public var contextLength: Int
    /// Transformer blocks.
    public var layers: Int
    /// Attention heads per block; they divide `embedding`.
    public var heads: Int
    /// Features per position.
    public var embedding: Int
    /// Dropout after the embeddings, on the attention weights and after each block's projections (0 by default).
    public var dropout: Float
    /// Whether the linear layers and layer norms have biases.
    public var bias: Bool
    /// The feed-forward network's GELU: exact, as nanoGPT's, or the tanh form GPT-2 was trained with (`gelu_new`).
    public var activation: GELUApproximation
    /// The layer norms' epsilon (GPT-2's `layer_norm_epsilon`).
    public var layerNormEpsilon: Float

    /// A configuration; `heads` must divide `embedding`.
    public init(vocabularySize: Int, contextLength: Int, layers: Int, heads: Int, embedding: Int, dropout: Float = 0,
                bias: Bool = true, activation: GELUApproximation = .none, layerNormEpsilon: Float = 1e-5) {
        (self.vocabularySize, self.contextLength, self.layers) = (vocabularySize, contextLength, layers)
        (self.heads, self.embedding, self.dropout, self.bias) = (heads, embedding, dropout, bias)
        (self.activation, self.layerNormEpsilon) = (activation, layerNormEpsilon)
    }

    private enum CodingKeys: String, CodingKey {
        case vocabularySize, contextLength, layers, heads, embedding, dropout, bias, activation, layerNormEpsilon
    }

    /// Decodes a configuration; checkpoints written before `activation` and `layerNormEpsilon` existed read as
    /// exact GELU and 1e-5.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(vocabularySize: try c.decode(Int.self, forKey: .vocabularySize), contextLength: try c.decode(Int.self, forKey: .contextLength),
                  layers: try c.decode(Int.self, forKey: .layers), heads: try c.decode(Int.self, forKey: .heads),
                  embedding: try c.decode(Int.self, forKey: .embedding), dropout: try c.decode(Float.self, forKey: .dropout),
                  bias: try c.decode(Bool.self, forKey: .bias),
                  activation: try c.decodeIfPresent(GELUApproximation.self, forKey: .activation) ?? .none,
                  layerNormEpsilon: try c.decodeIfPresent(Float.self, forKey: .layerNormEpsilon) ?? 1e-5)
    }

    /// Why these sizes cannot make a model, or nil when they can.
    public var problem: String? {
        if vocabularySize < 1 || contextLength < 1 || layers < 1 || heads < 1 || embedding < 1 {
            return "every size must be at least 1 (vocabulary \(vocabularySize), context \(contextLength), layers \(layers), heads \(heads), embedding \(embedding))"
        }
        if embedding % heads != 0 { return "heads (\(heads)) must divide the embedding (\(embedding))" }
        if !(dropout >= 0 && dropout < 1) { return "dropout must be in [0, 1), got \(dropout)" }
        return nil
    }
}

/// A GPT language model, as nanoGPT's `GPT` (GPT-2's architecture): token and position embeddings, `layers`
/// pre-norm transformer blocks with causal self-attention and a GELU feed-forward network, a final layer norm, and an
/// output layer whose weight is the token embedding's (tied). State-dict names are nanoGPT's
/// (`transformer.wte.weight`, `transformer.h.0.attn.c_attn.weight`, …, `lm_head.weight`), so its checkpoints load
/// here and these load in PyTorch with `strict=True`. Weights start as nanoGPT's: N(0, 0.02), the residual
/// projections N(0, 0.02/√(2·layers)), biases 0.
///
/// **Shapes:** token ids `[B, T]` (T ≤ `contextLength`) → logits `[B, T, vocabularySize]`.
public final class GPT: Module {
    /// The model's sizes.
    public let configuration: GPTConfiguration
    /// Token and position embeddings, blocks and the final norm (nanoGPT's `transformer`).
    public let body: GPTBody
    /// The output layer; its weight is ``GPTBody/tokenEmbedding``'s.
    public let head: Linear

    /// A model of `configuration`'s sizes, its weights drawn from `generator` (the global one by default).
    public init(_ configuration: GPTConfiguration, generator: RandomGenerator? = nil) {
        if let problem = configuration.problem { preconditionFailure("GPT: \(problem)") }
        self.configuration = configuration
        body = GPTBody(configuration, generator: generator)
        head = Linear(weight: body.tokenEmbedding.weight)
    }

    public override func forward(_ tokens: Tensor) -> Tensor { logits(tokens, cache: nil) }

    /// The logits of `tokens`, which follow the positions `cache` holds (none without a cache); the keys and
    /// values of `tokens` are added to `cache`.
    ///
    /// **Shapes:** `[B, T]` → `[B, T, vocabularySize]`, with T plus the cached positions ≤ `contextLength`.
    public func logits(_ tokens: Tensor, cache: KeyValueCache?) -> Tensor {
        require(tokens.rank == 2, "GPT: tokens must be [batch, time], got \(tokens.shape)")
        let (time, past) = (tokens.shape[1], cache?.count ?? 0)
        require(past + time <= configuration.contextLength,
                "GPT: \(past + time) positions exceed the model's context of \(configuration.contextLength)")
        let positions = Tensor.arange(Float(past), Float(past + time), dtype: .int64)
        var x = body.dropout(body.tokenEmbedding(tokens) + body.positionEmbedding(positions))
        for (index, block) in body.blocks.enumerated() { x = block.forward(x, cache: cache, layer: index) }
        cache?.count = past + time
        return head(body.finalNorm(x))
    }

    public override func namedChildren() -> [(String, Module)] { [("transformer", body), ("lm_head", head)] }
}

/// A GPT's embeddings, blocks and final norm, as nanoGPT's `transformer` dictionary (`wte`, `wpe`, `h`, `ln_f`).
public final class GPTBody: Module {
    /// `[vocabularySize, embedding]`, shared with the output layer.
    public let tokenEmbedding: Embedding
    /// `[contextLength, embedding]`.
    public let positionEmbedding: Embedding
    /// The transformer blocks.
    public let blocks: [GPTBlock]
    /// The layer norm before the output layer.
    public let finalNorm: LayerNorm
    let dropout: Dropout

    init(_ c: GPTConfiguration, generator: RandomGenerator?) {
        tokenEmbedding = Embedding(c.vocabularySize, c.embedding, generator: generator)
        positionEmbedding = Embedding(c.contextLength, c.embedding, generator: generator)
        for table in [tokenEmbedding.weight, positionEmbedding.weight] {
            table.replaceValues(with: Tensor.randn(table.shape, generator: generator) * 0.02)
        }
        blocks = (0..<c.layers).map { _ in GPTBlock(c, generator: generator) }
        finalNorm = LayerNorm(c.embedding, epsilon: c.layerNormEpsilon, bias: c.bias)
        dropout = Dropout(c.dropout, generator: generator)
    }

    public override func namedChildren() -> [(String, Module)] {
        [("wte", tokenEmbedding), ("wpe", positionEmbedding), ("drop", dropout)]
            + blocks.enumerated().map { ("h.\($0.offset)", $0.element) } + [("ln_f", finalNorm)]
    }
}

/// One GPT block: x + attention(ln_1(x)), then x + mlp(ln_2(x)) (pre-norm), under nanoGPT's names.
public final class GPTBlock: Module {
    /// The norms before the attention and before the feed-forward network.
    public let attentionNorm: LayerNorm, feedForwardNorm: LayerNorm
    /// Causal self-attention: `c_attn` `[3E, E]` (query, key and value at once) and `c_proj` `[E, E]`.
    public let attentionInput: Linear, attentionOutput: Linear
    /// The feed-forward network: `c_fc` E → 4E with GELU, `c_proj` 4E → E.
    public let feedForwardInput: Linear, feedForwardOutput: Linear
    private let heads: Int, attentionDropout: Float
    private let residualDropout: Dropout, generator: RandomGenerator?

    init(_ c: GPTConfiguration, generator: RandomGenerator?) {
        attentionNorm = LayerNorm(c.embedding, epsilon: c.layerNormEpsilon, bias: c.bias)
        feedForwardNorm = LayerNorm(c.embedding, epsilon: c.layerNormEpsilon, bias: c.bias)
        func projection(_ input: Int, _ output: Int, std: Float, activation: Activation = .identity) -> Linear {
            Linear(weight: (Tensor.randn([output, input], generator: generator) * std).requiringGrad(),
                   bias: c.bias ? Tensor.zeros([output]).requiringGrad() : nil, activation: activation)
        }
        let residualStd = 0.02 / Float(2 * c.layers).squareRoot()
        attentionInput = projection(c.embedding, 3 * c.embedding, std: 0.02)
        attentionOutput = projection(c.embedding, c.embedding, std: residualStd)
        feedForwardInput = projection(c.embedding, 4 * c.embedding, std: 0.02, activation: c.activation.activation)
        feedForwardOutput = projection(4 * c.embedding, c.embedding, std: residualStd)
        (heads, attentionDropout, self.generator) = (c.heads, c.dropout, generator)
        residualDropout = Dropout(c.dropout, generator: generator)
    }

    public override func forward(_ input: Tensor) -> Tensor { forward(input, cache: nil, layer: 0) }

    /// The block over `input` `[B, T, E]`, attending also to the positions `cache` holds for `layer`, and adding
    /// this input's keys and values there.
    func forward(_ input: Tensor, cache: KeyValueCache?, layer: Int) -> Tensor {
        let x = input + residualDropout(attentionOutput(attention(attentionNorm(input), cache: cache, layer: layer)))
        return x + residualDropout(feedForwardOutput(feedForwardInput(feedForwardNorm(x))))
    }

    /// Causal self-attention of `x` `[B, T, E]` after the cached positions: `[B, T, E]`.
    private func attention(_ x: Tensor, cache: KeyValueCache?, layer: Int) -> Tensor {
        let (batch, time, width) = (x.shape[0], x.shape[1], x.shape[2])
        let qkv = attentionInput(x).reshaped(batch, time, 3, heads, width / heads).permuted(2, 0, 3, 1, 4)
        var (keys, values) = (qkv[1], qkv[2])
        let past = cache?.count ?? 0
        if let cache { (keys, values) = cache.appending(keys: keys, values: values, layer: layer) }
        // Query i, at position past + i, sees keys 0...past + i: the top-left causal mask without a cache, none for
        // a single new position, and a mask of −∞ past each query's position otherwise.
        let mask: Tensor? = past == 0 || time == 1 ? nil
            : Tensor.full([time, past + time], -.infinity).triu(diagonal: past + 1)
        let attended = scaledDotProductAttention(qkv[0], keys, values, mask: mask, isCausal: past == 0 && time > 1,
                                                 dropout: isTraining ? attentionDropout : 0, generator: generator)
        return joinHeads(attended)
    }

    public override func namedChildren() -> [(String, Module)] {
        [("ln_1", attentionNorm), ("attn.c_attn", attentionInput), ("attn.c_proj", attentionOutput),
         ("ln_2", feedForwardNorm), ("mlp.c_fc", feedForwardInput), ("mlp.c_proj", feedForwardOutput)]
    }
}

/// The keys and values a ``GPT`` computed for the positions it has seen, per layer, so that generating a token costs
/// one new position instead of the whole prefix again (the KV cache). Each layer's keys and values live in a buffer
/// `[B, heads, capacity, d]` that doubles when full; new positions are written into it and attention reads the filled
/// part as a view, so a token copies only its own keys and values. For inference: fill it inside
/// `withoutGradient { }`.
public final class KeyValueCache {
    /// Positions held.
    public internal(set) var count = 0
    private var keys: [Tensor?], values: [Tensor?]

    /// An empty cache for a model of `layers` blocks.
    public init(layers: Int) {
        keys = Array(repeating: nil, count: layers)
        values = Array(repeating: nil, count: layers)
    }

    /// Empties the cache (its buffers are kept for the next positions).
    public func clear() { count = 0 }

    /// The layer's cached keys and values followed by the new ones, `[B, heads, count + T, d]` views of its buffers,
    /// into which the new ones are written.
    func appending(keys newKeys: Tensor, values newValues: Tensor, layer: Int) -> (Tensor, Tensor) {
        require(!(isGradientRecordingEnabled && (newKeys.requiresGrad || newValues.requiresGrad)),
                "KeyValueCache: the cache is for generation and passes no gradient; run the model inside withoutGradient { }")
        let end = count + newKeys.shape[2]
        func stored(_ new: Tensor, in buffer: inout Tensor?) -> Tensor {
            if buffer == nil || buffer!.shape[2] < end || buffer!.shape[0] != new.shape[0] {
                var shape = new.shape
                shape[2] = Swift.max(end, 2 * (buffer?.shape[2] ?? 0), 16)
                let grown = Tensor.zeros(shape, dtype: new.dtype)
                if let buffer, count > 0 { grown[.all, .all, ..<count] = buffer[.all, .all, ..<count] }
                buffer = grown
            }
            buffer![.all, .all, count..<end] = new
            return buffer![.all, .all, ..<end]
        }
        return (stored(newKeys, in: &keys[layer]), stored(newValues, in: &values[layer]))
    }
}
