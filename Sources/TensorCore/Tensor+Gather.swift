// Picking elements by index along one axis (PyTorch's `torch.gather`), with a scatter-add gradient.

extension Tensor {
    /// The elements at `indices` along `axis`, as PyTorch's `torch.gather(self, axis, indices)`: for a 2-d tensor and
    /// axis 1, `out[i][j] = self[i][indices[i][j]]`. A language model's loss picks each target's log-probability
    /// this way, without a one-hot matrix of the vocabulary's width. The gradient adds each output's gradient into
    /// the element it was picked from (repeated picks add up).
    ///
    /// **Shapes:** `indices` has `self`'s rank, each of its sizes off `axis` at most `self`'s (whole numbers in
    /// `0..<shape[axis]`, any dtype) → `indices.shape`.
    public func gather(axis: Int, indices: Tensor) -> Tensor {
        gather(axis: axis, indices: indices, op: "gather", kind: "an index")
    }

    /// ``gather(axis:indices:)``, naming `op` (a loss, say) and what an index picks (`kind`: a class) when one is
    /// out of range.
    package func gather(axis: Int, indices: Tensor, op: String, kind: String) -> Tensor {
        let a = Shapes.axisOrStop(axis, rank: rank, op: "gather")
        require(indices.rank == rank && (0..<rank).allSatisfy { $0 == a || indices.shape[$0] <= shape[$0] },
                "gather: indices \(Shapes.text(indices.shape)) must have the rank of \(Shapes.text(shape)) and no larger size off axis \(a)")
        let (picked, contiguousPicked) = gatherPositions(axis: a, indices: indices, op: op, kind: kind)
        let out = Tensor(uninitializedShape: indices.shape, dtype: dtype)
        let size = dtype.byteSize
        for (position, offset) in picked.enumerated() {
            (out.rawPointer + position * size).copyMemory(from: rawPointer + offset * size, byteCount: size)
        }
        let original = shape
        return out.recorded("gather", self) { g in
            let gradient = g.contiguous(), full = Tensor.zeros(original, dtype: g.dtype)
            switch g.dtype {
            case .float32: addAt(contiguousPicked, from: gradient.pointer(Float.self), into: full.pointer(Float.self))
            case .float64: addAt(contiguousPicked, from: gradient.pointer(Double.self), into: full.pointer(Double.self))
            case .bfloat16, .float16, .int32, .int64, .bool: g.requireArithmetic("gather")
            }
            return [full]
        }
    }

    /// For each position of `indices` in row-major order, the element it picks: its offset through this tensor's
    /// strides, and in a contiguous tensor of this shape.
    private func gatherPositions(axis: Int, indices: Tensor, op: String, kind: String) -> (strided: [Int], contiguous: [Int]) {
        let values = indices.classIndices(classes: shape[axis], op: op, kind: kind)
        let dense = Shapes.contiguousStrides(shape)
        var coordinate = Array(repeating: 0, count: rank)
        var strided: [Int] = [], contiguous: [Int] = []
        strided.reserveCapacity(values.count)
        contiguous.reserveCapacity(values.count)
        for value in values {
            var (s, c) = (offset, 0)
            for k in 0..<rank {
                let at = k == axis ? value : coordinate[k]
                s += at * strides[k]
                c += at * dense[k]
            }
            strided.append(s - offset)
            contiguous.append(c)
            var k = rank - 1
            while k >= 0 {
                coordinate[k] += 1
                if coordinate[k] < indices.shape[k] { break }
                coordinate[k] = 0
                k -= 1
            }
        }
        return (strided, contiguous)
    }
}

/// `table[positions[i]] += source[i]` for each i.
private func addAt<T: TensorScalar>(_ positions: [Int], from source: UnsafeMutablePointer<T>, into table: UnsafeMutablePointer<T>) {
    for (i, position) in positions.enumerated() { table[position] += source[i] }
}
