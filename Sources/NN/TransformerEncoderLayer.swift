import TensorCore

/// One transformer encoder layer, as PyTorch's `nn.TransformerEncoderLayer`: self-attention and a feed-forward
/// network (`linear1` → activation → dropout → `linear2`), each with a residual connection, dropout and layer
/// norm: after each block (post-norm, the original transformer's and PyTorch's default) or before it
/// (`normFirst`, pre-norm, as GPT-2's). Parameters and their names are PyTorch's (`self_attn.in_proj_weight`,
/// `linear1.weight`, `norm1.weight`, …).
///
/// **Shapes:** `[T, B, E]` (or `[B, T, E]` with `batchFirst`) → unchanged.
public final class TransformerEncoderLayer: Module {
    /// The self-attention block.
    public let selfAttention: MultiheadAttention
    /// The feed-forward network's layers: E → feedForward → E.
    public let linear1: Linear, linear2: Linear
    /// The layer norms of the attention block and of the feed-forward block.
    public let norm1: LayerNorm, norm2: LayerNorm
    /// Whether each block's input is normalised (pre-norm) rather than its residual sum (post-norm).
    public let normFirst: Bool
    /// The feed-forward network's activation.
    public let activation: Activation
    private let attentionDropout: Dropout, feedForwardDropout: Dropout, outputDropout: Dropout

    /// A layer of `dModel` features in `heads` heads, as PyTorch's defaults: a 2048-wide feed-forward network,
    /// ReLU, dropout 0.1, post-norm.
    public init(dModel: Int, heads: Int, feedForward: Int = 2048, dropout: Float = 0.1, activation: Activation = .relu,
                layerNormEpsilon: Float = 1e-5, batchFirst: Bool = false, normFirst: Bool = false, bias: Bool = true,
                generator: RandomGenerator? = nil) {
        selfAttention = MultiheadAttention(dModel, heads: heads, dropout: dropout, bias: bias, batchFirst: batchFirst,
                                           generator: generator)
        linear1 = Linear(dModel, feedForward, bias: bias, activation: activation, generator: generator)
        linear2 = Linear(feedForward, dModel, bias: bias, generator: generator)
        norm1 = LayerNorm(dModel, epsilon: layerNormEpsilon, bias: bias)
        norm2 = LayerNorm(dModel, epsilon: layerNormEpsilon, bias: bias)
        (attentionDropout, feedForwardDropout, outputDropout) =
            (Dropout(dropout, generator: generator), Dropout(dropout, generator: generator), Dropout(dropout, generator: generator))
        (self.normFirst, self.activation) = (normFirst, activation)
    }

    public override func forward(_ input: Tensor) -> Tensor { encode(input) }

    /// The layer over `input`, with an attention `mask` (`[T, T]`: additive, 0 keeps and −∞ masks out, or bool, true
    /// masks out, as PyTorch's `src_mask`), padding keys (`[B, T]`, true for padding: `src_key_padding_mask`) and
    /// causal masking if asked.
    public func encode(_ input: Tensor, mask: Tensor? = nil, keyPaddingMask: Tensor? = nil, isCausal: Bool = false) -> Tensor {
        func attention(_ x: Tensor) -> Tensor {
            attentionDropout(selfAttention.attend(x, x, x, mask: mask, keyPaddingMask: keyPaddingMask, isCausal: isCausal))
        }
        func feedForward(_ x: Tensor) -> Tensor { outputDropout(linear2(feedForwardDropout(linear1(x)))) }
        if normFirst {
            let x = input + attention(norm1(input))
            return x + feedForward(norm2(x))
        }
        let x = norm1(input + attention(input))
        return norm2(x + feedForward(x))
    }

    public override func namedChildren() -> [(String, Module)] {
        [("self_attn", selfAttention), ("linear1", linear1), ("dropout", feedForwardDropout), ("linear2", linear2),
         ("norm1", norm1), ("norm2", norm2), ("dropout1", attentionDropout), ("dropout2", outputDropout)]
    }
}
