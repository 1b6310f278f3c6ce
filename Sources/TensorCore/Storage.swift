/// The memory behind one or more tensors: a 64-byte-aligned buffer of `count` elements of one `dtype`.
///
/// Views (transpose, slices, expand, reshape of a contiguous tensor) share one storage; it is freed when the
/// last tensor using it goes away.
final class TensorStorage: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let count: Int
    let dtype: DType

    /// Allocates uninitialised memory for `count` elements.
    init(count: Int, dtype: DType) {
        precondition(count >= 0, "storage: negative element count \(count)")
        self.count = count
        self.dtype = dtype
        base = .allocate(byteCount: Swift.max(count, 1) * dtype.byteSize, alignment: 64)
        switch dtype {
        case .float32: base.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
        case .float64: base.bindMemory(to: Double.self, capacity: Swift.max(count, 1))
        }
    }

    deinit { base.deallocate() }

    /// The buffer as elements of `T`; `T` must match `dtype`.
    @inline(__always)
    func pointer<T: TensorScalar>(_: T.Type) -> UnsafeMutablePointer<T> {
        base.assumingMemoryBound(to: T.self)
    }
}
