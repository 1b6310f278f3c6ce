import KernelSupport
import KernelsX86V3
import KernelsX86V4
import KernelsBaseline
import KernelsX86V4BF16

/// How a call reaches the kernel of the running CPU: every op asks for `Kernels.active` and calls its entry
/// point. `active` is the family ``KernelSettings/family`` names (the fastest the CPU supports, chosen once at
/// start-up from CPUID, unless `SWIFTGRAD_KERNEL` or a program says otherwise); each family's kernels are the
/// same Swift source (`Sources/Kernels`) compiled for its instruction set in its own target.
package enum Kernels {
    /// The kernels of the family in use on this task.
    @inline(__always)
    package static var active: any KernelSet.Type { kernels(for: KernelSettings.family) }

    /// The kernels of `family`.
    package static func kernels(for family: KernelFamily) -> any KernelSet.Type {
        switch family {
        case .avx512, .avx512bf16: return KernelsX86V4.LevelKernels.self
        case .fma: return KernelsX86V3.LevelKernels.self
        case .portable: return KernelsBaseline.LevelKernels.self
        }
    }
}

extension Kernels {
    /// The bfloat16 products of the family in use: on a bfloat16 instruction where the family has one, else the
    /// operands rounded to bfloat16 and multiplied by the family's float32 GEMM.
    package static var bfloat16Products: any BFloat16Products.Type { bfloat16Products(for: KernelSettings.family) }

    /// The bfloat16 products of `family`.
    package static func bfloat16Products(for family: KernelFamily) -> any BFloat16Products.Type {
        #if arch(x86_64)
        if family.hasBFloat16Products { return PairProducts.self }
        #endif
        return kernels(for: family).roundedBFloat16Products
    }
}

extension KernelFamily {
    /// The most GFLOPS this family's multiply-accumulate instructions reach on `threads` cores at once (best
    /// of five runs of a few milliseconds each). No matrix multiply can beat it; a good one reaches 85–95 %
    /// of it. On a CPU that lowers its clock for wide vectors, this is the lowered clock's rate. (A debug build's
    /// figure means nothing: its unoptimised probe runs 4096 steps instead of a million, seconds rather than
    /// minutes, so that the benchmarks' command-line tests stay short.)
    public func peakGFLOPS(threads: Int = 1) -> Double { peakGFLOPS(threads: threads, steps: Self.probeSteps) }

    /// Steps per run of a peak probe: a million, 4096 in a debug build.
    private static var probeSteps: Int {
        #if DEBUG
        1 << 12
        #else
        1 << 20
        #endif
    }

    /// The same with `steps` steps per run (tests run a few).
    func peakGFLOPS(threads: Int, steps: Int) -> Double {
        require(isBuilt && isSupportedByCPU,
                "peakGFLOPS: '\(self)' needs \(level), which this CPU lacks")
        return Kernels.kernels(for: self).peakGFLOPS(threads: threads, steps: steps)
    }

    /// The most GFLOPS this family's bfloat16 dot-product instruction reaches on `threads` cores at once (as
    /// ``peakGFLOPS(threads:)`` measures its float32 multiply-adds), or nil where the family has none
    /// (`hasBFloat16Products`): then bfloat16 products run at the float32 peak.
    public func bfloat16PeakGFLOPS(threads: Int = 1) -> Double? {
        bfloat16PeakGFLOPS(threads: threads, steps: Self.probeSteps)
    }

    func bfloat16PeakGFLOPS(threads: Int, steps: Int) -> Double? {
        require(isBuilt && isSupportedByCPU,
                "bfloat16PeakGFLOPS: '\(self)' needs \(level), which this CPU lacks")
        return hasBFloat16Products ? Kernels.bfloat16Products(for: self).peakGFLOPS(threads: threads, steps: steps) : nil
    }
}

extension Float {
    /// e^x by range reduction and a degree-6 polynomial (Cephes' `expf`: within 1 ulp of the correctly rounded
    /// result over 3 million sampled inputs); results that would be subnormal (x < −87.5) are flushed to 0. The
    /// same bits as ``Tensor/exp()`` gives for the element.
    public static func exp(_ x: Float) -> Float { Kernels.active.exp(x) }

    /// ln x by splitting x into 2^e · m with m in [√½, √2) and a degree-9 polynomial in m − 1 (Cephes' `logf`,
    /// within 1 ulp); −∞ at 0 (either sign), NaN below 0; subnormal inputs are scaled up first.
    public static func log(_ x: Float) -> Float { Kernels.active.log(x) }

    /// tanh x: an odd polynomial below |x| = 0.625, 1 − 2 / (e^{2|x|} + 1) above (Cephes' `tanhf`, within
    /// 1 ulp); exactly ±1 from |x| ≈ 9, where e^{2|x|} + 1 rounds to e^{2|x|}, and ±0 for ±0.
    public static func tanh(_ x: Float) -> Float { Kernels.active.tanh(x) }
}
