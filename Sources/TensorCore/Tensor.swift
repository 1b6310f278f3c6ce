@_exported import KernelSupport

/// An n-dimensional array of `Float` (or `Double`) with shape, strides and an offset into shared storage,
/// and the bookkeeping of reverse-mode automatic differentiation.
///
/// `Tensor` is a class: views share storage with the tensor they look at, and a gradient computed by
/// ``backward(gradient:retainGraph:)`` lands on the very tensor object the model holds, as in PyTorch.
///
/// ```swift
/// let a = Tensor([[1, 2], [3, 4]])        // shape [2, 2]
/// let column = a[.all, 1]                  // a view: tensor([2., 4.])
/// let b = (a * 2 + 1).sum(axis: 0)         // tensor([ 8., 14.])
/// ```
public final class Tensor {
    // A `var` only so that autograd can ask whether a fresh gradient's storage is shared (isKnownUniquelyReferenced).
    // Unchecked: that question never overlaps another access, and the runtime's exclusivity check on every read
    // of a tensor's storage (and of `requiresGrad` below) cost 300 instructions of a small matmul's 4000.
    @exclusivity(unchecked) var storage: TensorStorage
    /// The size of each axis.
    public let shape: [Int]
    /// How many elements to step in storage to move one position along each axis (0 for broadcast axes).
    public let strides: [Int]
    /// The position of the first element in storage.
    public let offset: Int

    /// Whether gradients flow back to this tensor. Set it on a leaf (a parameter or an input); results of
    /// ops on such tensors require gradients too.
    @exclusivity(unchecked) public var requiresGrad: Bool
    /// The gradient accumulated by ``backward(gradient:retainGraph:)``, with this tensor's shape; `nil` until one arrives.
    public var grad: Tensor?
    /// The recorded op that produced this tensor, when it was computed from tensors that require gradients.
    var gradFunction: GradFunction?
    /// Whether a computed tensor keeps its gradient (``retainGrad()``).
    var keepsGrad = false

    init(storage: TensorStorage, shape: [Int], strides: [Int], offset: Int) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
        requiresGrad = false
    }

    /// A new contiguous tensor of `shape` whose elements are not yet written.
    init(uninitializedShape shape: [Int], dtype: DType) {
        storage = TensorStorage(count: Shapes.newTensorCount(shape), dtype: dtype)
        self.shape = shape
        strides = Shapes.contiguousStrides(shape)
        offset = 0
        requiresGrad = false
    }

    /// The element type.
    public var dtype: DType { storage.dtype }
    /// The number of axes (0 for a scalar).
    public var rank: Int { shape.count }
    /// The number of elements.
    public var count: Int { Shapes.count(shape) }

    /// Whether the elements lie in storage in row-major order with no gaps (size-1 axes may have any stride).
    public var isContiguous: Bool {
        var expected = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) where shape[axis] != 1 {
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// Whether two tensors view the same storage.
    public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }

    /// Pointer to the first element, typed; `T` must match `dtype`.
    @inline(__always)
    func pointer<T: TensorScalar>(_: T.Type) -> UnsafeMutablePointer<T> {
        storage.pointer(T.self) + offset
    }

    /// Pointer to the first element, untyped, for the kernels (which read `dtype` to type it).
    @inline(__always)
    var rawPointer: UnsafeMutableRawPointer { storage.base + offset &* dtype.byteSize }

    /// The value of a one-element tensor.
    ///
    /// - Returns: the single element as `Float` (1 or 0 for bool); stops if the tensor has more than one element.
    public func item() -> Float {
        require(count == 1, "item: the tensor has \(count) elements, shape \(Shapes.text(shape)); item() needs exactly one")
        return elements(as: Float.self)[0]
    }

    /// All elements in row-major order, as `Float`.
    public var scalars: [Float] { elements(as: Float.self) }

    /// All elements in row-major order, converted to `T` (bool as 1 and 0).
    public func elements<T: TensorScalar>(as _: T.Type) -> [T] {
        guard dtype == T.dtype else { return to(T.dtype).elements(as: T.self) }
        let source = contiguous()
        return Array(UnsafeBufferPointer(start: source.pointer(T.self), count: source.count))
    }

    /// All elements in row-major order as `Int`: exact for integer and bool tensors; floats are truncated
    /// toward zero as ``to(_:)`` converts them.
    public var integers: [Int] {
        let source = to(.int64).contiguous()
        return UnsafeBufferPointer(start: source.elementPointer(Int64.self), count: source.count).map { Int($0) }
    }
}

extension Tensor {
    /// Calls `body` with the elements of this contiguous float32 tensor, to read or write in place: the escape
    /// hatch for fused loops (optimizer updates, data loading) that would otherwise make one temporary tensor
    /// per arithmetic step. Not recorded by autograd.
    public func withUnsafeMutableScalars<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        require(dtype == .float32 && isContiguous,
                "withUnsafeMutableScalars: needs a contiguous float32 tensor, got \(dtype) \(isContiguous ? "contiguous" : "strided") \(Shapes.text(shape))")
        return try body(UnsafeMutableBufferPointer(start: pointer(Float.self), count: count))
    }
}

extension Tensor {
    /// A contiguous tensor of `shape` and `dtype` whose element bytes `initializer` writes, in row-major order
    /// and the machine's (little-endian) layout: what safetensors and `.npy` files hold. Bool bytes other than
    /// 0 are read as true.
    public convenience init(shape: [Int], dtype: DType, initializingBytes initializer: (UnsafeMutableRawBufferPointer) -> Void) {
        self.init(uninitializedShape: shape, dtype: dtype)
        initializer(UnsafeMutableRawBufferPointer(start: rawPointer, count: count * dtype.byteSize))
        if dtype == .bool {
            let p = elementPointer(UInt8.self)
            for i in 0..<count where p[i] > 1 { p[i] = 1 }
        }
    }

    /// Calls `body` with the bytes of the elements in row-major order (of a contiguous copy when the tensor is
    /// a strided view), in the machine's layout of `dtype`.
    public func withUnsafeElementBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let source = contiguous()
        return try body(UnsafeRawBufferPointer(start: source.rawPointer, count: source.count * dtype.byteSize))
    }
}

extension Tensor {
    /// A contiguous tensor over elements that `owner` keeps in memory (a memory-mapped file's bytes): read and
    /// written in place, never copied, `owner` kept alive as long as any view of the tensor. `base` must be
    /// aligned to `dtype`'s size and readable for ``readableBytesPastEnd`` bytes past the last element.
    package convenience init(shape: [Int], dtype: DType, borrowing base: UnsafeMutableRawPointer, owner: AnyObject) {
        self.init(storage: TensorStorage(borrowing: base, count: Shapes.newTensorCount(shape), dtype: dtype, owner: owner),
                  shape: shape, strides: Shapes.contiguousStrides(shape), offset: 0)
    }

    /// The bytes past a tensor's last element that the kernels may read (and ignore).
    package static var readableBytesPastEnd: Int { TensorStorage.slack }
}
