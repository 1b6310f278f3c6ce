import TensorCore

/// Multi-head attention, as PyTorch's `nn.MultiheadAttention`: the query, key and value projected by
/// `in_proj_weight` `[3E, E]` and `in_proj_bias` `[3E]`, split into `heads` heads of E/heads features, attended
/// by `scaledDotProductAttention(_:_:_:mask:isCausal:dropout:scale:generator:)` (fused, no T × S matrix), joined,
/// and projected by `out_proj` (a `Linear(E, E)`). Parameters and their names are PyTorch's, so its state dicts
/// load as they are; the projections start as PyTorch's (Xavier-uniform, biases 0).
///
/// **Shapes:** query `[T, B, E]`, key and value `[S, B, E]` (or `[B, T, E]` and `[B, S, E]` with `batchFirst`) →
/// the query's shape.
public final class MultiheadAttention: Module {
    /// `[3E, E]`: the query's, key's and value's projections, one above the other.
    @Parameter public var inProjectionWeight: Tensor
    /// `[3E]`, or nil without `bias`.
    @OptionalParameter public var inProjectionBias: Tensor?
    /// The output projection, `[E, E]`.
    public let outProjection: Linear
    /// Heads, each of `embedDimension / heads` features.
    public let heads: Int
    /// Whether the batch is the first axis.
    public let batchFirst: Bool
    /// The probability of dropping an attention weight in training.
    public let dropout: Float
    private let generator: RandomGenerator?

    /// Attention over `embedDimension` features in `heads` heads.
    public init(_ embedDimension: Int, heads: Int, dropout: Float = 0, bias: Bool = true, batchFirst: Bool = false,
                generator: RandomGenerator? = nil) {
        require(heads >= 1 && embedDimension % heads == 0,
                "MultiheadAttention: heads (\(heads)) must divide the embedding dimension (\(embedDimension))")
        require(dropout >= 0 && dropout < 1, "MultiheadAttention: dropout must be in [0, 1), got \(dropout)")
        let bound = Float((6 / Double(embedDimension + 3 * embedDimension)).squareRoot())
        _inProjectionWeight = Parameter(wrappedValue: Tensor.rand([3 * embedDimension, embedDimension], low: -bound,
                                                                  high: bound, generator: generator).requiringGrad(),
                                        "in_proj_weight")
        _inProjectionBias = OptionalParameter(wrappedValue: bias ? Tensor.zeros([3 * embedDimension]).requiringGrad() : nil,
                                              "in_proj_bias")
        let projection = Linear(embedDimension, embedDimension, bias: bias, generator: generator)
        projection.bias?.replaceValues(with: Tensor(0))
        outProjection = projection
        (self.heads, self.batchFirst, self.dropout, self.generator) = (heads, batchFirst, dropout, generator)
    }

    /// The embedding dimension E.
    public var embedDimension: Int { inProjectionWeight.shape[1] }

    /// Self-attention: `input` as query, key and value, no mask.
    public override func forward(_ input: Tensor) -> Tensor { attend(input, input, input) }

    /// Attention of `query` over `key` and `value`.
    ///
    /// - Parameters:
    ///   - query: `[T, B, E]`, or `[B, T, E]` with ``MultiheadAttention/batchFirst``.
    ///   - key: `[S, B, E]`, or `[B, S, E]`.
    ///   - value: `[S, B, E]`, or `[B, S, E]`.
    ///   - mask: added to the scores (0 keeps, −∞ masks out), or a bool tensor true where a query may *not* attend
    ///     to a key (PyTorch's `attn_mask` of `nn.MultiheadAttention`, whose bool convention is the opposite of
    ///     `F.scaled_dot_product_attention`'s); `[T, S]` or broadcast to `[B, heads, T, S]`. A query that sees no key
    ///     gets 0, as PyTorch's fused path gives.
    ///   - keyPaddingMask: `[B, S]`: true (or −∞) for the keys that are padding, ignored by every query (PyTorch's
    ///     `key_padding_mask`).
    ///   - isCausal: query i sees keys 0...i only.
    public func attend(_ query: Tensor, _ key: Tensor, _ value: Tensor, mask: Tensor? = nil,
                       keyPaddingMask: Tensor? = nil, isCausal: Bool = false) -> Tensor {
        let e = embedDimension
        for (name, tensor) in [("query", query), ("key", key), ("value", value)] {
            require(tensor.rank == 3 && tensor.shape[2] == e,
                    "MultiheadAttention: \(name) must be [\(batchFirst ? "B, T" : "T, B"), \(e)], got \(tensor.shape)")
        }
        let (q, k, v) = batchFirst ? (query, key, value)
            : (query.transposed(0, 1), key.transposed(0, 1), value.transposed(0, 1))
        let mask = combinedMask(mask, keyPaddingMask, batch: q.shape[0], keys: k.shape[1], dtype: q.dtype)
        let w = inProjectionWeight, b = inProjectionBias
        func project(_ x: Tensor, _ part: Int) -> Tensor {
            let rows = (part * e)..<((part + 1) * e)
            return splitHeads(linear(x, weight: w[rows], bias: b?[rows]))
        }
        let attended: Tensor
        if query === key && key === value {
            // Self-attention: one product for the three projections, as nanoGPT's c_attn.
            let (batch, time) = (q.shape[0], q.shape[1])
            let joined = linear(q, weight: w, bias: b).reshaped(batch, time, 3, heads, e / heads).permuted(2, 0, 3, 1, 4)
            attended = scaledDotProductAttention(joined[0], joined[1], joined[2], mask: mask, isCausal: isCausal,
                                                 dropout: isTraining ? dropout : 0, generator: generator)
        } else {
            attended = scaledDotProductAttention(project(q, 0), project(k, 1), project(v, 2), mask: mask,
                                                 isCausal: isCausal, dropout: isTraining ? dropout : 0, generator: generator)
        }
        let output = outProjection(joinHeads(attended))
        return batchFirst ? output : output.transposed(0, 1)
    }

    /// The additive mask of an attention mask and a key padding mask (each additive, or bool with true = masked
    /// out), broadcast to `[B, 1, T, S]` when both are given.
    private func combinedMask(_ mask: Tensor?, _ padding: Tensor?, batch: Int, keys: Int, dtype: DType) -> Tensor? {
        func additive(_ m: Tensor) -> Tensor {
            m.dtype == .bool ? which(m, Tensor(scalar: -.infinity, dtype: dtype), Tensor(scalar: 0, dtype: dtype)) : m
        }
        guard let padding else { return mask.map(additive) }
        require(padding.shape == [batch, keys],
                "MultiheadAttention: keyPaddingMask must be [B, S] = [\(batch), \(keys)], got \(padding.shape)")
        let keyMask = additive(padding).reshaped(batch, 1, 1, keys)
        guard let mask else { return keyMask }
        return additive(mask) + keyMask
    }

    /// `[B, T, E]` → `[B, heads, T, E/heads]`.
    private func splitHeads(_ x: Tensor) -> Tensor {
        x.reshaped(x.shape[0], x.shape[1], heads, embedDimension / heads).transposed(1, 2)
    }

    public override var extraDescription: String {
        "embed_dim=\(embedDimension), num_heads=\(heads), batch_first=\(batchFirst ? "True" : "False")"
    }

    public override func namedChildren() -> [(String, Module)] { [("out_proj", outProjection)] }
}

/// `[B, heads, T, d]` → `[B, T, heads·d]`: attention heads side by side again.
func joinHeads(_ x: Tensor) -> Tensor {
    x.transposed(1, 2).reshaped(x.shape[0], x.shape[2], x.shape[1] * x.shape[3])
}
