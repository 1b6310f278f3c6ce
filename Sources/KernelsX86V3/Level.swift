// x86-64-v3 (AVX2 and FMA): the kernels of Sources/Kernels (linked here as `Kernels`) compiled with
// -march=x86-64-v3 (Package.swift); on arm64, compiled for NEON, whose fused multiply-add is always there.
import KernelSupport

typealias LevelGEMM = GEMMDriver<2, SIMD8<Float>, FusedMultiplyAdd>
typealias LevelPeakProbe = PeakProbe<12, SIMD8<Float>, FusedMultiplyAdd>
let levelFamily = KernelFamily.fma
