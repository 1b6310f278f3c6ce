#ifndef SWIFTGRAD_CPU_FEATURES_H
#define SWIFTGRAD_CPU_FEATURES_H

// What the build targets. These are `static inline` so that Swift's own clang importer evaluates the macros
// with the flags the Swift code is compiled with (`-Xcc -march=...` reaches both), which tells SwiftGrad
// which of its Swift kernel families were compiled with FMA and wide registers.

/// 1 when this build was compiled for AVX-512F (e.g. `-Xcc -march=native` on an AVX-512 CPU).
static inline int swiftgrad_build_has_avx512f(void) {
#if defined(__AVX512F__)
    return 1;
#else
    return 0;
#endif
}

/// 1 when this build was compiled with fused multiply-add instructions (x86 FMA3, or any arm64).
static inline int swiftgrad_build_has_fma(void) {
#if defined(__FMA__) || defined(__aarch64__) || defined(__ARM_FEATURE_FMA)
    return 1;
#else
    return 0;
#endif
}

/// 1 when the build targets arm64.
static inline int swiftgrad_build_is_arm64(void) {
#if defined(__aarch64__)
    return 1;
#else
    return 0;
#endif
}

/// 1 when the CPU running the program supports AVX-512F (and the OS saves its registers).
int swiftgrad_cpu_has_avx512f(void);

/// 1 when the CPU running the program supports AVX2 and FMA3 (always 1 on arm64, whose NEON has FMA).
int swiftgrad_cpu_has_fma(void);

#endif
