import Foundation

/// Rows of `weight` picked by `indices`, as PyTorch's `F.embedding`: a lookup table of token vectors.
///
/// The gradient is a scatter-add: each row of `weight` receives the sum of the output gradients of every position
/// that picked it (so repeated ids add up); the row `paddingIndex` receives none, as PyTorch's `padding_idx`.
/// Indices are whole numbers in `0..<weight.shape[0]` held in any dtype; any other value stops with a message
/// naming it. A bfloat16 or float16 weight (held that way for inference) gives its rows as float32, exactly.
///
/// **Shapes:** indices `[...]`, weight `[count, dimension]` → `[..., dimension]`.
public func embedding(_ indices: Tensor, weight: Tensor, paddingIndex: Int? = nil) -> Tensor {
    require(weight.rank == 2, "embedding: weight must be [count, dimension], got \(Shapes.text(weight.shape))")
    let (count, dimension) = (weight.shape[0], weight.shape[1])
    let rows = indices.classIndices(classes: count, op: "embedding", kind: "a row of the weight")
    let table = weight.contiguous()
    let out = Tensor(uninitializedShape: indices.shape + [dimension], dtype: weight.dtype)
    let rowBytes = dimension * weight.dtype.byteSize
    for (position, row) in rows.enumerated() {
        (out.rawPointer + position * rowBytes).copyMemory(from: table.rawPointer + row * rowBytes, byteCount: rowBytes)
    }
    if weight.dtype.isFloatingPoint && !weight.dtype.isArithmetic { return out.to(.float32) }
    return out.recorded("embedding", weight) { g in
        let gradient = g.contiguous()
        let weightGradient = Tensor.zeros([count, dimension], dtype: gradient.dtype)
        switch gradient.dtype {
        case .float32: addRows(rows, from: gradient.pointer(Float.self), into: weightGradient.pointer(Float.self),
                               dimension: dimension, skipping: paddingIndex)
        case .float64: addRows(rows, from: gradient.pointer(Double.self), into: weightGradient.pointer(Double.self),
                               dimension: dimension, skipping: paddingIndex)
        case .bfloat16, .float16, .int32, .int64, .bool: gradient.requireArithmetic("embedding")
        }
        return [weightGradient]
    }
}

/// `table[rows[i]] += source[i]` for each position i, rows of `dimension` elements, leaving out row `skipping`.
private func addRows<T: TensorScalar>(_ rows: [Int], from source: UnsafeMutablePointer<T>,
                                      into table: UnsafeMutablePointer<T>, dimension: Int, skipping: Int?) {
    for (position, row) in rows.enumerated() where row != skipping {
        let (target, values) = (table + row * dimension, source + position * dimension)
        for j in 0..<dimension { target[j] += values[j] }
    }
}
