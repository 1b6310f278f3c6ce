import Foundation
@testable import KernelsX86V4
@testable import KernelsBaseline
import Testing
@testable import TensorCore

/// The arithmetic ceiling that `swiftgrad bench gemm` reports rates against.
@Suite struct PeakThroughputTests {
    /// The probe computes what it says: each of the A·lanes accumulators runs acc ← 0.001 + 0.999·acc from the
    /// seed, so after n steps it holds 1 + (seed − 1)·0.999ⁿ.
    @Test func probeComputesTheRecurrence() {
        let steps = 50
        let expected = { (seed: Double, count: Int) in Double(count) * (1 + (seed - 1) * pow(0.999, Double(steps))) }
        let narrow = KernelsBaseline.LevelPeakProbe.run(steps: steps, seed: 3)
        #expect(abs(Double(narrow) - expected(3, 12 * 4)) < 1e-4 * expected(3, 12 * 4), "\(narrow)")
        // Compiled for AVX-512: run only where the CPU has it.
        if KernelFamily.avx512.isSupportedByCPU {
            let wide = KernelsX86V4.LevelPeakProbe.run(steps: steps, seed: 0)
            #expect(abs(Double(wide) - expected(0, 24 * 16)) < 1e-3 * expected(0, 24 * 16), "\(wide)")
        }
    }

    /// Every family this machine runs gives a finite, positive rate on one and two threads.
    @Test func everyRunnableFamilyHasAPeak() {
        for kernel in KernelFamily.runnable {
            for threads in [1, 2] {
                let peak = kernel.peakGFLOPS(threads: threads, steps: 2000)
                #expect(peak.isFinite && peak > 0, "\(kernel) on \(threads) threads: \(peak)")
                // The bfloat16 instruction's probe, where the family has one.
                let bfloat16 = kernel.bfloat16PeakGFLOPS(threads: threads, steps: 2000)
                #expect((bfloat16 != nil) == kernel.hasBFloat16Products && (bfloat16 ?? 1) > 0, "\(kernel) bfloat16: \(String(describing: bfloat16))")
            }
        }
    }
}
