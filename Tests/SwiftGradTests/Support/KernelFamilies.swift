import KernelSupport

extension KernelFamily {
    /// The runnable families with float32 kernels of their own: avx512bf16 runs avx512's (its own kernels are
    /// the bfloat16 products, which `BFloat16ProductTests` runs on every family), so float32 tests skip it.
    static var distinctFloat32: [KernelFamily] { runnable.filter { $0 != .avx512bf16 } }
}
