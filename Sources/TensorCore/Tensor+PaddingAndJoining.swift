// Shape ops that copy: padding with a constant, concatenation and stacking.

extension Tensor {
    /// The tensor with `widths[i].before` elements of `value` added before axis `i` and `widths[i].after` after it,
    /// as PyTorch's `F.pad(mode="constant")` but one pair per axis from the first (missing trailing axes are not
    /// padded). The gradient is the interior of the incoming gradient.
    ///
    /// **Shapes:** `[3, 4].padded([(0, 0), (1, 2)])` → `[3, 7]`.
    public func padded(_ widths: [(before: Int, after: Int)], value: Float = 0) -> Tensor {
        require(widths.count <= rank,
                "padded: \(widths.count) pairs of widths for a tensor of rank \(rank), shape \(Shapes.text(shape))")
        require(widths.allSatisfy { $0.before >= 0 && $0.after >= 0 },
                "padded: widths must not be negative, got \(widths.map { "(\($0.before), \($0.after))" }.joined(separator: ", "))")
        let pairs = widths + Array(repeating: (before: 0, after: 0), count: rank - widths.count)
        if pairs.allSatisfy({ $0.before == 0 && $0.after == 0 }) { return self }
        let outShape = zip(shape, pairs).map { $0 + $1.before + $1.after }
        let out = Tensor.full(outShape, value, dtype: dtype)
        let interior = pairs.enumerated().map { axis, pair in (pair.before..<(pair.before + shape[axis])).tensorIndex }
        out[indices: interior] = self
        return out.recorded("padded", self) { g in [g[indices: interior]] }
    }

    /// The tensors joined along `axis`; all have this rank, and the same sizes on the other axes.
    ///
    /// **Shapes:** `[2, 3]` and `[4, 3]` along axis 0 → `[6, 3]`.
    public static func concatenated(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        require(!tensors.isEmpty, "concatenated: needs at least one tensor")
        let first = tensors[0]
        let a = Shapes.axisOrStop(axis, rank: first.rank, op: "concatenated")
        for t in tensors {
            var same = t.rank == first.rank && t.dtype == first.dtype
            if same { for i in 0..<first.rank where i != a && t.shape[i] != first.shape[i] { same = false } }
            require(same, "concatenated: shapes \(tensors.map { Shapes.text($0.shape) }.joined(separator: ", ")) (dtypes \(tensors.map { "\($0.dtype)" }.joined(separator: ", "))) differ off axis \(a)")
        }
        var outShape = first.shape
        outShape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        let out = Tensor(uninitializedShape: outShape, dtype: first.dtype)
        var ranges: [Range<Int>] = []
        var start = 0
        for t in tensors {
            ranges.append(start..<(start + t.shape[a]))
            start += t.shape[a]
        }
        func part(_ range: Range<Int>) -> [TensorIndex] { (0..<first.rank).map { $0 == a ? range.tensorIndex : .all } }
        for (t, range) in zip(tensors, ranges) { out[indices: part(range)] = t }
        return out.recorded("concatenated", tensors) { g in ranges.map { g[indices: part($0)] } }
    }

    /// The tensors, all of one shape, stacked along a new axis `axis` (PyTorch's `torch.stack`).
    ///
    /// **Shapes:** three `[2, 3]` along axis 0 → `[3, 2, 3]`.
    public static func stacked(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        require(!tensors.isEmpty, "stacked: needs at least one tensor")
        require(tensors.allSatisfy { $0.shape == tensors[0].shape },
                "stacked: shapes \(tensors.map { Shapes.text($0.shape) }.joined(separator: ", ")) differ")
        let a = Shapes.axisOrStop(axis, rank: tensors[0].rank + 1, op: "stacked")
        return concatenated(tensors.map { $0.unsqueezed(axis: a) }, axis: a)
    }
}
