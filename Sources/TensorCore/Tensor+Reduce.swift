// Reductions over everything or along one axis, and softmax / log-softmax.

extension Tensor {
    /// The contiguous `[outer, length, inner]` view of `self` around `axis`, and the reduced shape.
    private func reductionLayout(_ axis: Int?, keepDims: Bool, op: String)
        -> (source: Tensor, outer: Int, length: Int, inner: Int, shape: [Int]) {
        let source = contiguous()
        guard let axis else {
            return (source, 1, count, 1, keepDims ? Shapes.filled(1, count: rank) : [])
        }
        let a = Shapes.axisOrStop(axis, rank: rank, op: op)
        if rank == 0 { return (source, 1, 1, 1, []) }
        var shape = self.shape
        if keepDims { shape[a] = 1 } else { shape.remove(at: a) }
        return (source, Shapes.count(Array(self.shape[..<a])), self.shape[a],
                Shapes.count(Array(self.shape[(a + 1)...])), shape)
    }

    private func reduced(_ op: ReduceOp, axis: Int?, keepDims: Bool, name: String) -> Tensor {
        let (source, outer, length, inner, shape) = reductionLayout(axis, keepDims: keepDims, op: name)
        require(op == .sum || length > 0 || outer * inner == 0,
                "\(name): cannot reduce an empty axis (shape \(Shapes.text(self.shape)))")
        if op == .sum && dtype.isFloatingPoint && !dtype.isArithmetic {
            return to(.float32).reduced(op, axis: axis, keepDims: keepDims, name: name)
        }
        if op == .sum && !dtype.isFloatingPoint {
            return Tensor.integerSums(source, outer: outer, length: length, inner: inner, shape: shape)
        }
        requireArithmetic(name)
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        Kernels.active.reduce(op, dtype, src: source.rawPointer, outer: outer, length: length, inner: inner,
                              dst: out.rawPointer)
        return out
    }

    /// `g` (shaped like a reduction's result) reshaped so it broadcasts against `self` again.
    private func unreduced(_ g: Tensor, axis: Int?, keepDims: Bool) -> Tensor {
        guard let axis else { return g.reshaped(to: Shapes.filled(1, count: rank)) }
        if keepDims || rank == 0 { return g }
        return g.unsqueezed(axis: Shapes.axisOrStop(axis, rank: rank, op: "reduce"))
    }

    /// The sum of all elements, or along `axis` (negative counts from the end); int64 for integer and bool
    /// tensors (a mask's count), as in PyTorch.
    ///
    /// **Shapes:** `[2, 3, 4].sum()` → `[]`; `.sum(axis: 1)` → `[2, 4]`; `.sum(axis: 1, keepDims: true)` → `[2, 1, 4]`.
    public func sum(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        let inputShape = shape
        return reduced(.sum, axis: axis, keepDims: keepDims, name: "sum").recorded("sum", self) { [self] g in
            [self.unreduced(g, axis: axis, keepDims: keepDims).expanded(to: inputShape)]
        }
    }

    /// The mean of all elements, or along `axis`.
    ///
    /// **Shapes:** as ``sum(axis:keepDims:)``.
    public func mean(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        requireArithmetic("mean")
        let n = axis.map { rank == 0 ? 1 : shape[Shapes.axisOrStop($0, rank: rank, op: "mean")] } ?? count
        return sum(axis: axis, keepDims: keepDims) / Float(n)
    }

    /// The sum over several axes (PyTorch's `sum(dim=(0, 2, 3))`): adjacent axes of a contiguous tensor are merged
    /// into one, then each remaining run is reduced by the one-axis kernel, last first. No copy of the input.
    ///
    /// **Shapes:** `[N, C, H, W].sum(axes: [0, 2, 3])` → `[C]`, or `[1, C, 1, 1]` with `keepDims`.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let normalized = Set(axes.map { Shapes.axisOrStop($0, rank: rank, op: "sum") }).sorted()
        require(normalized.count == axes.count, "sum: axes \(axes) repeat an axis of a tensor of rank \(rank)")
        var (result, runs) = (self, normalized)
        if isContiguous {
            var merged: [Int] = []
            runs = []
            var axis = 0
            while axis < rank {
                var size = shape[axis], next = axis + 1
                if normalized.contains(axis) {
                    while next < rank && normalized.contains(next) { size *= shape[next]; next += 1 }
                    runs.append(merged.count)
                }
                merged.append(size)
                axis = next
            }
            result = reshaped(to: merged)
        }
        for axis in runs.reversed() { result = result.sum(axis: axis, keepDims: true) }
        let kept = shape.enumerated().map { normalized.contains($0.offset) ? 1 : $0.element }
        return result.reshaped(to: keepDims ? kept : shape.enumerated().filter { !normalized.contains($0.offset) }.map(\.element))
    }

    /// The mean over several axes.
    ///
    /// **Shapes:** as ``sum(axes:keepDims:)``.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        requireArithmetic("mean")
        let n = axes.reduce(1) { $0 * shape[Shapes.axisOrStop($1, rank: rank, op: "mean")] }
        return sum(axes: axes, keepDims: keepDims) / Float(Swift.max(n, 1))
    }

    /// The variance over several axes: the mean squared deviation from the mean, divided by n − 1 when
    /// `unbiased` (PyTorch's `var(dim=…, unbiased=…)`).
    ///
    /// **Shapes:** as ``sum(axes:keepDims:)``.
    public func variance(axes: [Int], unbiased: Bool = false, keepDims: Bool = false) -> Tensor {
        let n = axes.reduce(1) { $0 * shape[Shapes.axisOrStop($1, rank: rank, op: "variance")] }
        let deviation = self - mean(axes: axes, keepDims: true)
        return (deviation * deviation).sum(axes: axes, keepDims: keepDims) / Float(Swift.max(unbiased ? n - 1 : n, 1))
    }

    /// The largest element, or the largest along `axis`; NaN if any element is NaN. The gradient is shared
    /// equally by tied maxima.
    ///
    /// **Shapes:** as ``sum(axis:keepDims:)``.
    public func max(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        extreme(.max, axis: axis, keepDims: keepDims, name: "max")
    }

    /// The smallest element, or the smallest along `axis`; NaN if any element is NaN.
    ///
    /// **Shapes:** as ``sum(axis:keepDims:)``.
    public func min(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        extreme(.min, axis: axis, keepDims: keepDims, name: "min")
    }

    private func extreme(_ op: ReduceOp, axis: Int?, keepDims: Bool, name: String) -> Tensor {
        if !dtype.isArithmetic {
            return to(.float64).extreme(op, axis: axis, keepDims: keepDims, name: name).to(dtype)
        }
        let result = reduced(op, axis: axis, keepDims: keepDims, name: name), extreme = result.detached()
        return result.recorded(name, self) { [self] g in
            let value = self.unreduced(extreme, axis: axis, keepDims: keepDims)
            let hits = self .== value
            let ties = hits.sum(axis: axis, keepDims: true)
            return [hits * self.unreduced(g, axis: axis, keepDims: keepDims) / ties]
        }
    }

    /// The index of the first largest element along `axis` (of the flattened tensor when `axis` is nil),
    /// as int64 (PyTorch's index type), of a tensor of any dtype. NaN counts as largest.
    ///
    /// **Shapes:** as ``sum(axis:keepDims:)``.
    public func argmax(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        argExtreme(largest: true, axis: axis, keepDims: keepDims, name: "argmax")
    }

    /// The index of the first smallest element along `axis` (of the flattened tensor when `axis` is nil), as
    /// int64.
    ///
    /// **Shapes:** as ``sum(axis:keepDims:)``.
    public func argmin(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        argExtreme(largest: false, axis: axis, keepDims: keepDims, name: "argmin")
    }

    private func argExtreme(largest: Bool, axis: Int?, keepDims: Bool, name: String) -> Tensor {
        if !dtype.isArithmetic {
            return to(.float64).argExtreme(largest: largest, axis: axis, keepDims: keepDims, name: name)
        }
        let (source, outer, length, inner, shape) = reductionLayout(axis, keepDims: keepDims, op: name)
        require(length > 0 || outer * inner == 0, "\(name): cannot reduce an empty axis (shape \(Shapes.text(self.shape)))")
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        Kernels.active.argReduce(largest: largest, dtype, src: source.rawPointer, outer: outer, length: length,
                                 inner: inner, dst: out.rawPointer)
        return out.to(.int64)
    }

    /// e^x / Σ e^x along `axis`, computed as e^(x − max) so that logits of any magnitude stay finite.
    ///
    /// **Shapes:** unchanged.
    public func softmax(axis: Int = -1) -> Tensor {
        let y = normalizedExponential(axis: axis, log: false, op: "softmax")
        let s = y.detached()
        return y.recorded("softmax", self) { g in
            [s * (g - (g * s).sum(axis: axis, keepDims: true))]
        }
    }

    /// log(softmax(x)) along `axis`, computed as (x − max) − log Σ e^(x − max): finite for logits of
    /// magnitude 1000 and beyond.
    ///
    /// **Shapes:** unchanged.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let y = normalizedExponential(axis: axis, log: true, op: "logSoftmax")
        let value = y.detached()
        return y.recorded("log_softmax", self) { g in
            [g - value.exp() * g.sum(axis: axis, keepDims: true)]
        }
    }

    /// Softmax or log-softmax along `axis` in one pass per row (`softmaxKernel`), not recorded.
    private func normalizedExponential(axis: Int, log: Bool, op: String) -> Tensor {
        requireArithmetic(op)
        let (source, outer, length, inner, _) = reductionLayout(axis, keepDims: true, op: op)
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        Kernels.active.softmax(log: log, dtype, src: source.rawPointer, outer: outer, length: length, inner: inner,
                               dst: out.rawPointer)
        return out
    }
}
