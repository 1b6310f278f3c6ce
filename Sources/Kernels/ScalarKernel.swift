import KernelSupport

/// A kernel written once for both element types: its arguments are stored with raw pointers, and `run` reads
/// them as `T`. Each level's entry points call `run` through one dtype switch (`LevelKernels.swift`), which
/// specialises the kernel for `Float` and `Double`.
protocol ScalarKernel {
    /// Runs the kernel on elements of type `T`.
    func run<T: KernelScalar>(_: T.Type)
}

extension UnsafeMutableRawPointer {
    /// The pointer, read as elements of `T` (the memory a tensor of `T`'s dtype holds).
    @inline(__always)
    func typed<T>(_: T.Type) -> UnsafeMutablePointer<T> { assumingMemoryBound(to: T.self) }
}

extension UnsafeRawPointer {
    /// The pointer, read as elements of `T`.
    @inline(__always)
    func typed<T>(_: T.Type) -> UnsafePointer<T> { assumingMemoryBound(to: T.self) }
}
