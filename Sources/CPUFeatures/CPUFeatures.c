#include "CPUFeatures.h"

#if defined(__x86_64__)
#include <cpuid.h>

/// The bits of XCR0 the OS sets when it saves a register state on context switches.
static unsigned long long xcr0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

/// Each of x86-64-v3's features, read from CPUID directly (not every C runtime's `__builtin_cpu_supports` knows
/// them all), plus the OS's saving of the ymm registers.
static int supports_v3(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int fma = (c >> 12) & 1, movbe = (c >> 22) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1,
        f16c = (c >> 29) & 1;
    if (!(fma && movbe && osxsave && avx && f16c)) return 0;
    if ((xcr0() & 0x6) != 0x6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int bmi1 = (b >> 3) & 1, avx2 = (b >> 5) & 1, bmi2 = (b >> 8) & 1;
    if (!(bmi1 && avx2 && bmi2)) return 0;
    if (!__get_cpuid(0x80000001, &a, &b, &c, &d)) return 0;
    int lzcnt = (c >> 5) & 1;
    return lzcnt;
}

int swiftgrad_cpu_supports_x86_64_v3(void) {
    static int cached = -1;
    if (cached < 0) cached = supports_v3();
    return cached;
}

int swiftgrad_cpu_supports_x86_64_v4(void) {
    static int cached = -1;
    if (cached < 0) {
        unsigned int a, b, c, d;
        int v4 = supports_v3() && __get_cpuid_count(7, 0, &a, &b, &c, &d);
        // AVX-512 F (bit 16), DQ (17), CD (28), BW (30), VL (31); XCR0: opmask, upper zmm0-15, zmm16-31.
        v4 = v4 && ((b >> 16) & 1) && ((b >> 17) & 1) && ((b >> 28) & 1) && ((b >> 30) & 1) && ((b >> 31) & 1);
        v4 = v4 && (xcr0() & 0xE6) == 0xE6;
        cached = v4;
    }
    return cached;
}

int swiftgrad_cpu_supports_avx512_bf16(void) {
    static int cached = -1;
    if (cached < 0) {
        unsigned int a, b, c, d;
        // CPUID leaf 7, sub-leaf 1: EAX bit 5 is AVX512_BF16 (the sub-leaf exists when leaf 7's EAX is 1 or more).
        int bf16 = swiftgrad_cpu_supports_x86_64_v4() && __get_cpuid_count(7, 0, &a, &b, &c, &d) && a >= 1
            && __get_cpuid_count(7, 1, &a, &b, &c, &d) && ((a >> 5) & 1);
        cached = bf16;
    }
    return cached;
}
#else
int swiftgrad_cpu_supports_x86_64_v3(void) {
#if defined(__aarch64__)
    return 1;
#else
    return 0;
#endif
}

int swiftgrad_cpu_supports_x86_64_v4(void) { return 0; }

int swiftgrad_cpu_supports_avx512_bf16(void) { return 0; }
#endif
