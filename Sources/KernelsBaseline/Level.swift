// Baseline (x86-64 with SSE2, or any arm64): the kernels of Sources/Kernels (linked here as `Kernels`) compiled
// with no CPU flags. A separate multiply and add: where the target has no FMA, a fused one is a libm call.
import KernelSupport

typealias LevelGEMM = GEMMDriver<2, SIMD4<Float>, SeparateMultiplyAdd>
typealias LevelPeakProbe = PeakProbe<12, SIMD4<Float>, SeparateMultiplyAdd>
let levelFamily = KernelFamily.portable
