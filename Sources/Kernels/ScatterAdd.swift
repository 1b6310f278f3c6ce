import KernelSupport
/// `out[p] += source[p]` for every position `p` of a view of `shape`, one position after another on one thread,
/// so that positions of `out` that share an element (an overlapping view) add up instead of overwriting.
struct ScatterAddKernel: ScalarKernel {
    let shape: [Int], out: UnsafeMutableRawPointer, outStrides: [Int], source: UnsafeRawPointer, sourceStrides: [Int]

    func run<T: KernelScalar>(_: T.Type) {
        let (out, source) = (self.out.typed(T.self), self.source.typed(T.self))
        StridedLayout(shape: shape, strides: [outStrides, sourceStrides]).forEachRow { offsets, count, rowStrides in
            let (target, values) = (out + offsets[0], source + offsets[1])
            let (targetStride, valueStride) = (rowStrides[0], rowStrides[1])
            for i in 0..<count { target[i &* targetStride] += values[i &* valueStride] }
        }
    }
}
