// Views whose positions share memory (an expanded tensor, sliding windows) can be read but not written:
// a write through one would leave whichever value came last, and threads could write one element at once.

extension Shapes {
    /// Whether two positions of a view with `shape` and non-negative `strides` reach the same element.
    ///
    /// Exact. Most views are decided from their strides alone (a stride of 0 on an axis longer than 1 overlaps;
    /// strides that each step past everything the smaller ones reach cannot); the rest, such as overlapping or
    /// interleaved windows, are decided by marking each position's element in a bitmap over the view's span.
    static func hasOverlappingPositions(shape: [Int], strides: [Int]) -> Bool {
        if shape.contains(0) { return false }
        var axes: [(size: Int, stride: Int)] = []
        for (size, stride) in zip(shape, strides) where size > 1 {
            if stride == 0 { return true }
            axes.append((size, stride))
        }
        axes.sort { $0.stride < $1.stride }
        var reach = 0
        var orderedByStride = true
        for axis in axes {
            if axis.stride <= reach { orderedByStride = false }
            reach += (axis.size - 1) * axis.stride
        }
        if orderedByStride { return false }
        var seen = [UInt64](repeating: 0, count: reach / 64 + 1)
        var index = filled(0, count: axes.count)
        var position = 0
        while true {
            let (word, bit) = (position / 64, UInt64(1) << UInt64(position % 64))
            if seen[word] & bit != 0 { return true }
            seen[word] |= bit
            var axis = 0
            while axis < axes.count {
                index[axis] += 1
                position += axes[axis].stride
                if index[axis] < axes[axis].size { break }
                position -= axes[axis].stride * axes[axis].size
                index[axis] = 0
                axis += 1
            }
            if axis == axes.count { return false }
        }
    }
}

extension Tensor {
    /// Stops with a message naming `op`, the shape and the strides when two of this view's positions share an
    /// element, as PyTorch refuses to write into such a view.
    func requireDistinctPositions(_ op: String) {
        if isContiguous { return }
        require(!Shapes.hasOverlappingPositions(shape: shape, strides: strides),
                "\(op): cannot write into a view whose positions share memory (shape \(Shapes.text(shape)), strides \(Shapes.text(strides))); write into a contiguous() copy instead")
    }
}
