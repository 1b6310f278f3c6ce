import KernelSupport
/// `out[p] += source[p]` for every position `p` of a view of `shape`, one position after another on one thread,
/// so that positions of `out` that share an element (an overlapping view) add up instead of overwriting.
func scatterAddKernel<T: KernelScalar>(
    shape: [Int], out: UnsafeMutablePointer<T>, outStrides: [Int], source: UnsafePointer<T>, sourceStrides: [Int]
) {
    StridedLayout(shape: shape, strides: [outStrides, sourceStrides]).forEachRow { offsets, count, rowStrides in
        let (target, values) = (out + offsets[0], source + offsets[1])
        let (targetStride, valueStride) = (rowStrides[0], rowStrides[1])
        for i in 0..<count { target[i &* targetStride] += values[i &* valueStride] }
    }
}
