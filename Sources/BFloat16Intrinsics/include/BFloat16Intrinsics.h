#ifndef SWIFTGRAD_BFLOAT16_INTRINSICS_H
#define SWIFTGRAD_BFLOAT16_INTRINSICS_H

// The one AVX512-BF16 instruction the bfloat16 products need, which Swift cannot name: VDPBF16PS. Swift imports
// these vector types as SIMD16<Float> and SIMD16<UInt32>, and inlines the function into a target compiled with
// the instruction set (KernelsX86V4BF16, -mavx512bf16), where it becomes the instruction itself.

#if defined(__x86_64__)
typedef float swiftgrad_f32x16 __attribute__((ext_vector_type(16)));
typedef unsigned int swiftgrad_u32x16 __attribute__((ext_vector_type(16)));
typedef __bf16 swiftgrad_bf16x32 __attribute__((__vector_size__(64)));
typedef float swiftgrad_m512 __attribute__((__vector_size__(64)));

/// `acc + a₀·b₀ + a₁·b₁` in each of 16 lanes, where each 32-bit lane of `a` and `b` holds a pair of bfloat16
/// (the first in the low half): products exact, sums in float32 (round to nearest even; denormal inputs and
/// results flushed to zero, as the instruction defines).
static inline __attribute__((always_inline, target("avx512f,avx512bf16")))
swiftgrad_f32x16 swiftgrad_dot_bf16_pairs(swiftgrad_f32x16 acc, swiftgrad_u32x16 a, swiftgrad_u32x16 b) {
    return (swiftgrad_f32x16)__builtin_ia32_dpbf16ps_512((swiftgrad_m512)acc, (swiftgrad_bf16x32)a,
                                                          (swiftgrad_bf16x32)b);
}
#endif

#endif
