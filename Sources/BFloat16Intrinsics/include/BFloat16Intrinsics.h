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

/// Transposes a 16×16 block of 32-bit words (any 4-byte alignment): word c of row r (`words[16·r + c]`) becomes word r of
/// row c (`transposed[16·c + r]`). Interleaves of 32-bit
/// and 64-bit elements within 128-bit lanes, then two rounds of 128-bit lane shuffles (64 shuffles in all; LLVM
/// picks `vpunpck*` and `vshufi32x4`); for packing a weight's rows, each 16 pairs of bfloat16 along its depth,
/// into vectors of 16 columns per pair.
static inline __attribute__((always_inline, target("avx512f")))
void swiftgrad_transpose_16x16(const unsigned int *words, unsigned int *transposed) {
    typedef unsigned int unaligned_u32x16 __attribute__((ext_vector_type(16), aligned(4)));
    const unaligned_u32x16 *rows = (const unaligned_u32x16 *)words;
    unaligned_u32x16 *columns = (unaligned_u32x16 *)transposed;
    swiftgrad_u32x16 t[16], u[16], v[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = __builtin_shufflevector(rows[i], rows[i + 1], 0, 16, 1, 17, 4, 20, 5, 21, 8, 24, 9, 25, 12, 28, 13, 29);
        t[i + 1] = __builtin_shufflevector(rows[i], rows[i + 1], 2, 18, 3, 19, 6, 22, 7, 23, 10, 26, 11, 27, 14, 30, 15, 31);
    }
    for (int i = 0; i < 16; i += 4) {
        for (int j = 0; j < 2; j++) {
            u[i + 2 * j] = __builtin_shufflevector(t[i + j], t[i + j + 2], 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29);
            u[i + 2 * j + 1] = __builtin_shufflevector(t[i + j], t[i + j + 2], 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31);
        }
    }
    for (int i = 0; i < 4; i++) {
        v[i] = __builtin_shufflevector(u[i], u[i + 4], 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
        v[i + 4] = __builtin_shufflevector(u[i], u[i + 4], 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
        v[i + 8] = __builtin_shufflevector(u[i + 8], u[i + 12], 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
        v[i + 12] = __builtin_shufflevector(u[i + 8], u[i + 12], 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
    }
    for (int i = 0; i < 8; i++) {
        columns[i] = __builtin_shufflevector(v[i], v[i + 8], 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
        columns[i + 8] = __builtin_shufflevector(v[i], v[i + 8], 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
    }
}
#endif

#endif
