#ifndef SWIFTGRAD_FLOAT_INTRINSICS_H
#define SWIFTGRAD_FLOAT_INTRINSICS_H

// Square roots that loops can vectorise. On Linux, Swift's `Float.squareRoot()` calls libm's `sqrtf`, which
// must set errno for a negative argument, so LLVM keeps one scalar call per element (Adam's update ran at
// 3.3 ns per element). `__builtin_elementwise_sqrt` is the IEEE square root with no errno: one `sqrtps`
// (or `fsqrt`) per vector once Swift inlines these.

/// The correctly rounded square root of `x` (NaN for negative `x`), without setting errno.
static inline float swiftgrad_sqrtf(float x) { return __builtin_elementwise_sqrt(x); }

/// The correctly rounded square root of `x` (NaN for negative `x`), without setting errno.
static inline double swiftgrad_sqrt(double x) { return __builtin_elementwise_sqrt(x); }

// Swift has no prefetch instruction of its own. `__builtin_prefetch` is a hint (`prefetcht0` / `prfm`): it never
// faults, even past the end of an allocation.

/// Asks the CPU to bring the cache line at `address` into L1 for reading.
static inline void swiftgrad_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

/// Asks the CPU to bring the cache line at `address` toward the core for reading, into L2 rather than L1
/// (`prefetcht2`): for lines wanted a few thousand cycles later, which in L1 would push out the ones in use.
static inline void swiftgrad_prefetch_l2(const void *address) { __builtin_prefetch(address, 0, 1); }

#endif
