// x86-64-v4 (AVX-512): the kernels of Sources/Kernels (linked here as `Kernels`) compiled with
// -march=x86-64-v4 (Package.swift). Not built on other architectures: there it holds the arm64 family's kernels
// and is never chosen.
import KernelSupport

#if arch(x86_64)
typealias LevelGEMM = GEMMDriver<4, SIMD16<Float>, FusedMultiplyAdd>
typealias LevelPeakProbe = PeakProbe<24, SIMD16<Float>, FusedMultiplyAdd>
#else
typealias LevelGEMM = GEMMDriver<2, SIMD8<Float>, FusedMultiplyAdd>
typealias LevelPeakProbe = PeakProbe<12, SIMD8<Float>, FusedMultiplyAdd>
#endif
let levelFamily = KernelFamily.avx512
