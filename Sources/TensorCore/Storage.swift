#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The memory behind one or more tensors: a buffer of `count` elements of one `dtype`.
///
/// Views (transpose, slices, expand, reshape of a contiguous tensor) share one storage; it is freed (or kept by
/// ``StorageCache`` for the next tensor of the same size) when the last tensor using it goes away. A storage
/// may instead borrow memory that another object owns (a memory-mapped file's): it keeps that owner alive and
/// frees nothing.
final class TensorStorage: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let count: Int
    let dtype: DType
    private let byteCount: Int
    /// The owner of borrowed memory; nil when this storage allocated its own.
    private let owner: AnyObject?

    /// Allocates uninitialised memory for `count` elements.
    init(count: Int, dtype: DType) {
        require(count >= 0, "storage: negative element count \(count)")
        self.count = count
        self.dtype = dtype
        byteCount = StorageCache.byteCount(forRequest: Swift.max(count, 1) * dtype.byteSize + TensorStorage.slack)
        base = StorageCache.take(byteCount: byteCount) ?? TensorStorage.allocate(byteCount: byteCount)
        owner = nil
        bind()
    }

    /// Storage over `count` elements at `base`, which `owner` keeps valid (and readable for ``slack`` bytes
    /// past the last element) for as long as it lives.
    init(borrowing base: UnsafeMutableRawPointer, count: Int, dtype: DType, owner: AnyObject) {
        require(count >= 0, "storage: negative element count \(count)")
        require(Int(bitPattern: base) % dtype.byteSize == 0, "storage: borrowed memory is not aligned to \(dtype)'s \(dtype.byteSize) bytes")
        self.base = base
        self.count = count
        self.dtype = dtype
        byteCount = 0
        self.owner = owner
        bind()
    }

    private func bind() {
        switch dtype {
        case .float32: base.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
        case .float64: base.bindMemory(to: Double.self, capacity: Swift.max(count, 1))
        case .bfloat16: base.bindMemory(to: BFloat16.self, capacity: Swift.max(count, 1))
        case .float16: base.bindMemory(to: Half.self, capacity: Swift.max(count, 1))
        case .int32: base.bindMemory(to: Int32.self, capacity: Swift.max(count, 1))
        case .int64: base.bindMemory(to: Int64.self, capacity: Swift.max(count, 1))
        case .bool: base.bindMemory(to: UInt8.self, capacity: Swift.max(count, 1))
        }
    }

    deinit {
        if owner == nil { StorageCache.give(base, byteCount: byteCount) }
    }

    /// Bytes allocated past the last element: the GEMM reads whole vectors (up to 64 floats) from B's rows in
    /// place and discards the lanes past the row's end, so those reads must stay inside the allocation.
    static let slack = 256

    /// Memory from `malloc` (16-byte aligned) under 4 KB, where `posix_memalign` cost 500 instructions of a
    /// small op's 4000, and no kernel needs more (they load vectors unaligned); 64-byte-aligned up to
    /// ``mappedBytes``, and above it pages of its own from `mmap` (see ``mappedBytes``). Blocks of 4 MB and more
    /// are 2 MiB-aligned and marked for transparent huge pages, which halves the page-fault cost of a fresh 64 MB
    /// result (NumPy does the same).
    private static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        if byteCount < 4096, let memory = malloc(byteCount) { return memory }
        guard byteCount >= mappedBytes else {
            var memory: UnsafeMutableRawPointer?
            guard posix_memalign(&memory, 64, byteCount) == 0, let memory else {
                fatalError("storage: cannot allocate \(byteCount) bytes")
            }
            return memory
        }
        let huge = 4 << 20, alignment = 2 << 20
        let reserved = byteCount >= huge ? byteCount + alignment : byteCount
        guard let region = mmap(nil, reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              region != MAP_FAILED else { fatalError("storage: cannot allocate \(byteCount) bytes") }
        guard byteCount >= huge else { return region }
        // Keep the 2 MiB-aligned stretch of the reservation; unmap the rest.
        let start = (Int(bitPattern: region) + alignment - 1) / alignment * alignment
        let head = start - Int(bitPattern: region), tail = reserved - head - byteCount
        if head > 0 { munmap(region, head) }
        if tail > 0 { munmap(region + head + byteCount, tail) }
        #if os(Linux)
        _ = madvise(region + head, byteCount, 14 /* MADV_HUGEPAGE */)
        #endif
        return region + head
    }

    /// Blocks of this size and more are mapped pages of their own, returned to the system when freed. From
    /// `malloc` they were not: glibc serves blocks up to 32 MB from its heap once one that size has been freed,
    /// and keeps them there, so a model run on batches of varying length held twice its working set (all-MiniLM-
    /// L6-v2 on 320 sentences of 8–128 tokens: 355 MB at its peak, 90 of them weights).
    static let mappedBytes = 1 << 20

    /// Frees memory from ``allocate(byteCount:)``.
    static func deallocate(_ memory: UnsafeMutableRawPointer, byteCount: Int) {
        if byteCount >= mappedBytes { munmap(memory, byteCount) } else { free(memory) }
    }

    /// The buffer as elements of `T`; `T` must match `dtype`.
    @inline(__always)
    func pointer<T: TensorScalar>(_: T.Type) -> UnsafeMutablePointer<T> {
        base.assumingMemoryBound(to: T.self)
    }
}
