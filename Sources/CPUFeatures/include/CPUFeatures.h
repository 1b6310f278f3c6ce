#ifndef SWIFTGRAD_CPU_FEATURES_H
#define SWIFTGRAD_CPU_FEATURES_H

// What the code is compiled for. These are `static inline` so that Swift's own clang importer evaluates the
// macros with the flags of the Swift target that imports them: inside `KernelsX86V3`, compiled for x86-64-v3,
// `swiftgrad_build_has_fma()` is 1; inside `KernelsBaseline` it is 0.

/// 1 when the code is compiled with fused multiply-add instructions (x86 FMA3, or any arm64).
static inline int swiftgrad_build_has_fma(void) {
#if defined(__FMA__) || defined(__aarch64__) || defined(__ARM_FEATURE_FMA)
    return 1;
#else
    return 0;
#endif
}

/// 1 when the CPU running the program has everything x86-64-v4 adds (AVX-512 F, BW, CD, DQ and VL) on top of
/// x86-64-v3, and the operating system saves the AVX-512 registers.
int swiftgrad_cpu_supports_x86_64_v4(void);

/// 1 when the CPU running the program has x86-64-v4 and AVX512-BF16 (`VDPBF16PS`, the bfloat16 dot product that
/// accumulates into float32): AMD Zen 4 and later, Intel Cooper Lake and Sapphire Rapids on.
int swiftgrad_cpu_supports_avx512_bf16(void);

/// 1 when the CPU running the program has everything x86-64-v3 adds to the baseline (AVX, AVX2, BMI1, BMI2,
/// F16C, FMA, LZCNT, MOVBE), and the operating system saves the AVX registers; always 1 on arm64, whose NEON
/// has fused multiply-add.
int swiftgrad_cpu_supports_x86_64_v3(void);

#endif
