// Views: new shape and strides over the same storage, never a copy (reshape copies only when the layout
// leaves no choice). Each records a pullback that undoes it on the gradient.

extension Tensor {
    /// A tensor over the same storage with another shape, strides and offset.
    func view(shape: [Int], strides: [Int], offset: Int) -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset)
    }

    /// The pullback of a view op: a zero tensor of `baseShape` with `g` added through the view of it that
    /// `select` takes. Positions of the view that share an element (an expanded axis, overlapping windows)
    /// add their gradients, as the chain rule wants.
    static func viewGradient(_ g: Tensor, baseShape: [Int], select: (Tensor) -> Tensor) -> Tensor {
        let full = Tensor.zeros(baseShape, dtype: g.dtype)
        let target = select(full)
        let source = g.dtype == full.dtype ? g : g.to(full.dtype)
        let sourceStrides = Shapes.broadcastStrides(shape: source.shape, strides: source.strides, to: target.shape)
        Kernels.active.scatterAdd(full.dtype, shape: target.shape, out: target.rawPointer, outStrides: target.strides,
                                  source: source.rawPointer, sourceStrides: sourceStrides)
        return full
    }

    /// A view of this tensor's elements, numbered in row-major order from 0, with `shape` and `strides` (in
    /// elements, not negative) from element `offset`, as PyTorch's `as_strided`. Positions may share elements:
    /// sliding windows are `x.asStrided(shape: [n - k + 1, k], strides: [1, 1])`; their gradients add up.
    /// A tensor that is not contiguous is viewed through a contiguous copy. Such a view cannot be written into
    /// where its positions overlap.
    ///
    /// **Shapes:** `[...]` with N elements → `shape`; every position must fall inside the N elements.
    public func asStrided(shape newShape: [Int], strides newStrides: [Int], offset newOffset: Int = 0) -> Tensor {
        require(newShape.count == newStrides.count,
                "asStrided: shape \(Shapes.text(newShape)) and strides \(Shapes.text(newStrides)) differ in length")
        require(newShape.allSatisfy { $0 >= 0 } && newStrides.allSatisfy { $0 >= 0 } && newOffset >= 0,
                "asStrided: sizes, strides and offset must not be negative (shape \(Shapes.text(newShape)), strides \(Shapes.text(newStrides)), offset \(newOffset))")
        if !newShape.contains(0) {
            let last = zip(newShape, newStrides).reduce(newOffset) { $0 + ($1.0 - 1) * $1.1 }
            require(last < count,
                    "asStrided: shape \(Shapes.text(newShape)), strides \(Shapes.text(newStrides)) and offset \(newOffset) reach element \(last) of a tensor of \(count) elements, shape \(Shapes.text(shape))")
        }
        let base = contiguous()
        let original = shape
        return base.view(shape: newShape, strides: newStrides, offset: base.offset + newOffset)
            .recorded("asStrided", base) { g in
                [Tensor.viewGradient(g, baseShape: original) { $0.view(shape: newShape, strides: newStrides, offset: newOffset) }]
            }
    }

    /// `self` if contiguous, else a contiguous copy.
    ///
    /// **Shapes:** unchanged.
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        return copied().recorded("contiguous", self) { g in [g] }
    }

    /// The same elements in `shape` (row-major order); one entry may be `-1` and is inferred.
    ///
    /// A view when the strides allow one (always for a contiguous tensor); a copy otherwise, as PyTorch's
    /// `reshape`.
    ///
    /// **Shapes:** `[...]` with N elements → `shape` with N elements.
    public func reshaped(to shape: [Int]) -> Tensor {
        let target = inferredShape(shape)
        if target == self.shape { return self }
        let original = self.shape
        let result: Tensor
        if let viewStrides = Tensor.viewStrides(from: self.shape, self.strides, to: target) {
            result = view(shape: target, strides: viewStrides, offset: offset)
        } else {
            let copy = copied()
            result = copy.view(shape: target, strides: Shapes.contiguousStrides(target), offset: 0)
        }
        return result.recorded("reshape", self) { g in [g.reshaped(to: original)] }
    }

    /// `reshaped(to:)` with the sizes as arguments: `x.reshaped(6, -1)`.
    public func reshaped(_ shape: Int...) -> Tensor { reshaped(to: shape) }

    /// The tensor as one axis of `count` elements.
    public func flattened() -> Tensor { reshaped(to: [-1]) }

    private func inferredShape(_ shape: [Int]) -> [Int] {
        let unknown = shape.indices.filter { shape[$0] == -1 }
        require(unknown.count <= 1, "reshape: only one size may be -1, got \(Shapes.text(shape))")
        for size in shape { require(size >= -1, "reshape: invalid size \(size) in \(Shapes.text(shape))") }
        var result = shape
        let known = shape.filter { $0 != -1 }.reduce(1, *)
        if let axis = unknown.first {
            require(known != 0 && count % known == 0,
                    "reshape: shape \(Shapes.text(shape)) is invalid for \(count) elements (from \(Shapes.text(self.shape)))")
            result[axis] = count / known
        }
        require(Shapes.count(result) == count,
                "reshape: shape \(Shapes.text(shape)) is invalid for \(count) elements (from \(Shapes.text(self.shape)))")
        return result
    }

    /// Strides that show a tensor of `shape`/`strides` as `target` without copying, or nil when its layout
    /// does not allow it. Groups of old axes that are contiguous among themselves may be split or merged.
    static func viewStrides(from shape: [Int], _ strides: [Int], to target: [Int]) -> [Int]? {
        if shape.isEmpty || Shapes.count(shape) == 0 { return Shapes.contiguousStrides(target) }
        var result = Shapes.filled(0, count: target.count)
        var viewAxis = target.count - 1
        var chunkStride = strides[shape.count - 1]
        var chunkCount = 1
        var viewCount = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            chunkCount *= shape[axis]
            let chunkEnds = axis == 0 || (shape[axis - 1] != 1 && strides[axis - 1] != chunkCount * chunkStride)
            guard chunkEnds else { continue }
            while viewAxis >= 0 && (viewCount < chunkCount || target[viewAxis] == 1) {
                result[viewAxis] = viewCount * chunkStride
                viewCount *= target[viewAxis]
                viewAxis -= 1
            }
            if viewCount != chunkCount { return nil }
            if axis > 0 {
                chunkStride = strides[axis - 1]
                chunkCount = 1
                viewCount = 1
            }
        }
        return viewAxis == -1 ? result : nil
    }

    /// Axes `axis0` and `axis1` swapped (negative axes count from the end).
    ///
    /// **Shapes:** `[..., a, ..., b, ...]` → `[..., b, ..., a, ...]`.
    public func transposed(_ axis0: Int, _ axis1: Int) -> Tensor {
        let i = Shapes.axisOrStop(axis0, rank: rank, op: "transpose")
        let j = Shapes.axisOrStop(axis1, rank: rank, op: "transpose")
        var order = Array(0..<rank)
        order.swapAt(i, j)
        return permuted(order)
    }

    /// The axes in reverse order: a matrix's transpose (NumPy's `.T`). A view.
    ///
    /// **Shapes:** `[m, n]` → `[n, m]`; `[a, b, c]` → `[c, b, a]`.
    public func transposed() -> Tensor { permuted(Array((0..<rank).reversed())) }

    /// The axes reordered: axis `i` of the result is axis `order[i]` of `self`. A view.
    ///
    /// **Shapes:** `[2, 3, 4].permuted([1, 2, 0])` → `[3, 4, 2]`.
    public func permuted(_ order: [Int]) -> Tensor {
        require(order.count == rank,
                "permute: order \(order) has \(order.count) axes but the tensor of shape \(Shapes.text(shape)) has \(rank)")
        let axes = order.map { Shapes.axisOrStop($0, rank: rank, op: "permute") }
        // Checked without a Set or a comparison array: a transpose is a view in every linear layer's forward
        // pass, and those allocations were a third of its cost.
        var seen = [Bool](repeating: false, count: rank)
        for axis in axes {
            require(!seen[axis], "permute: order \(order) repeats an axis")
            seen[axis] = true
        }
        if axes.indices.allSatisfy({ axes[$0] == $0 }) { return self }
        let result = view(shape: axes.map { shape[$0] }, strides: axes.map { strides[$0] }, offset: offset)
        return result.recorded("permute", self) { g in
            var inverse = Shapes.filled(0, count: axes.count)
            for (i, axis) in axes.enumerated() { inverse[axis] = i }
            return [g.permuted(inverse)]
        }
    }

    /// `permuted(_:)` with the axes as arguments: `x.permuted(1, 2, 0)`.
    public func permuted(_ order: Int...) -> Tensor { permuted(order) }

    /// `axis` removed if its size is 1 (otherwise `self`, as PyTorch). A view.
    ///
    /// **Shapes:** `[200, 1].squeezed(axis: -1)` → `[200]`.
    public func squeezed(axis: Int) -> Tensor {
        let a = Shapes.axisOrStop(axis, rank: rank, op: "squeeze")
        guard rank > 0, shape[a] == 1 else { return self }
        var newShape = shape, newStrides = strides
        newShape.remove(at: a)
        newStrides.remove(at: a)
        let original = shape
        return view(shape: newShape, strides: newStrides, offset: offset)
            .recorded("squeeze", self) { g in [g.reshaped(to: original)] }
    }

    /// Every axis of size 1 removed. A view.
    public func squeezed() -> Tensor {
        let keep = (0..<rank).filter { shape[$0] != 1 }
        if keep.count == rank { return self }
        let original = shape
        return view(shape: keep.map { shape[$0] }, strides: keep.map { strides[$0] }, offset: offset)
            .recorded("squeeze", self) { g in [g.reshaped(to: original)] }
    }

    /// A new axis of size 1 inserted at `axis` (in `-(rank+1)...rank`). A view.
    ///
    /// **Shapes:** `[784].unsqueezed(axis: -1)` → `[784, 1]`.
    public func unsqueezed(axis: Int) -> Tensor {
        let a = Shapes.axisOrStop(axis, rank: rank + 1, op: "unsqueeze")
        var newShape = shape, newStrides = strides
        newShape.insert(1, at: a)
        newStrides.insert(0, at: a)
        let original = shape
        return view(shape: newShape, strides: newStrides, offset: offset)
            .recorded("unsqueeze", self) { g in [g.reshaped(to: original)] }
    }

    /// The tensor broadcast to `shape` without copying: size-1 axes are repeated with stride 0 and new axes
    /// are added in front; `-1` keeps an axis's size. Writing into an expanded tensor is not allowed.
    ///
    /// **Shapes:** `[3, 1].expanded(to: [2, 3, 4])` → `[2, 3, 4]`.
    public func expanded(to shape: [Int]) -> Tensor {
        require(shape.count >= rank,
                "expand: shape \(Shapes.text(self.shape)) cannot be expanded to \(Shapes.text(shape)) (fewer axes)")
        let lead = shape.count - rank
        var target = shape
        for i in 0..<rank {
            if target[i + lead] == -1 { target[i + lead] = self.shape[i] }
            require(self.shape[i] == target[i + lead] || self.shape[i] == 1,
                    "expand: shape \(Shapes.text(self.shape)) cannot be expanded to \(Shapes.text(shape)) (axis \(i): \(self.shape[i]) vs \(target[i + lead]))")
        }
        if target == self.shape { return self }
        let newStrides = Shapes.broadcastStrides(shape: self.shape, strides: strides, to: target)
        return view(shape: target, strides: newStrides, offset: offset).recorded("expand", self) { g in [g] }
    }
}
