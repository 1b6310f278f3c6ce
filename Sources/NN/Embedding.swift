import TensorCore

/// A lookup table of vectors, as PyTorch's `nn.Embedding`: row `i` of `weight` for each index `i`
/// (`embedding(_:weight:paddingIndex:)`).
///
/// `weight` `[count, dimension]` starts N(0, 1), as PyTorch's; the row `paddingIndex`, if given, starts at 0 and
/// receives no gradient.
///
/// **Shapes:** indices `[...]` (whole numbers in any dtype) → `[..., dimension]`.
public final class Embedding: Module {
    /// `[count, dimension]`
    public let weight: Tensor
    /// The index whose row stays 0 and untrained, or nil.
    public let paddingIndex: Int?

    /// A table of `count` vectors of `dimension` numbers drawn from `generator` (the global one by default).
    public init(_ count: Int, _ dimension: Int, paddingIndex: Int? = nil, generator: RandomGenerator? = nil) {
        require(count >= 1 && dimension >= 1, "Embedding: needs at least one row and one column, got \(count) × \(dimension)")
        if let paddingIndex {
            require(paddingIndex >= 0 && paddingIndex < count, "Embedding: paddingIndex \(paddingIndex) is not in 0..<\(count)")
        }
        weight = Tensor.randn([count, dimension], generator: generator)
        if let paddingIndex { weight[paddingIndex] = Tensor(0) }
        weight.requiresGrad = true
        self.paddingIndex = paddingIndex
    }

    /// Rows in the table.
    public var count: Int { weight.shape[0] }
    /// Numbers per row.
    public var dimension: Int { weight.shape[1] }

    public override func forward(_ indices: Tensor) -> Tensor {
        embedding(indices, weight: weight, paddingIndex: paddingIndex)
    }

    public override var extraDescription: String {
        "\(count), \(dimension)" + (paddingIndex.map { ", padding_idx=\($0)" } ?? "")
    }
}
