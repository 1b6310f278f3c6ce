import Foundation
@testable import KernelSupport
import Optimizers
import Testing
@testable import TensorCore

/// The kernel family is chosen from the CPU, overridden by SWIFTGRAD_KERNEL or by code, and every family this CPU
/// runs computes the same results (each is the same source compiled for its level).
@Suite struct KernelDispatchTests {
    @Test func environmentVariablePicksARunnableFamilyOrWarnsInOneLine() {
        #expect(KernelFamily.chosen(by: nil) == (KernelFamily.fastestForCPU, nil))
        #expect(KernelFamily.chosen(by: "") == (KernelFamily.fastestForCPU, nil))
        #expect(KernelFamily.chosen(by: "portable") == (.portable, nil))
        #expect(KernelFamily.chosen(by: "PORTABLE").kernel == .portable)
        let bogus = KernelFamily.chosen(by: "sse9")
        #expect(bogus.kernel == KernelFamily.fastestForCPU)
        #expect(bogus.warning == "swiftgrad: SWIFTGRAD_KERNEL=sse9 is not a kernel family; this CPU runs \(KernelFamily.runnable.map(\.rawValue).joined(separator: ", ")); using \(KernelFamily.fastestForCPU)")
        if !KernelFamily.avx512.isSupportedByCPU {
            #expect(KernelFamily.chosen(by: "avx512").warning?.contains("needs x86-64-v4, which this CPU lacks") == true)
        }
        #expect(KernelFamily.runnable.first == KernelFamily.fastestForCPU && KernelFamily.runnable.last == .portable)
    }

    /// The bfloat16 level is found by CPUID as Linux finds it, runs avx512's float32 kernels, adds only its
    /// bfloat16 products, and SWIFTGRAD_KERNEL=avx512 turns them off.
    @Test func theBFloat16LevelAddsOnlyItsProductsAndCanBeTurnedOff() throws {
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let flags = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) {
            let words = Set(flags.split(separator: " "))
            #expect(KernelFamily.avx512bf16.isSupportedByCPU == (words.contains("avx512_bf16") && KernelFamily.avx512.isSupportedByCPU))
        }
        #expect(ObjectIdentifier(Kernels.kernels(for: .avx512bf16)) == ObjectIdentifier(Kernels.kernels(for: .avx512)))
        for family in KernelFamily.runnable {
            let products = ObjectIdentifier(Kernels.bfloat16Products(for: family))
            #expect((products == ObjectIdentifier(Kernels.kernels(for: family).roundedBFloat16Products)) == !family.hasBFloat16Products)
        }
        if KernelFamily.avx512bf16.isSupportedByCPU {
            #expect(KernelFamily.fastestForCPU == .avx512bf16 && KernelFamily.chosen(by: "avx512") == (.avx512, nil))
        }
    }

    @Test func cliNamesTheFamilyAndReportsABadChoiceInOneLine() throws {
        let plain = try runCLI(["--version"])
        #expect(plain.stdout.contains("kernels: \(KernelFamily.fastestForCPU) (\(KernelFamily.fastestForCPU.level))"))
        #expect(plain.errors.isEmpty)
        let forced = try runCLI(["--version"], environment: ["SWIFTGRAD_KERNEL": "portable"])
        #expect(forced.stdout.contains("kernels: portable (x86-64 baseline)") || forced.stdout.contains("kernels: portable (arm64)"))
        let bad = try runCLI(["--version"], environment: ["SWIFTGRAD_KERNEL": "turbo"])
        #expect(bad.status == 0)
        #expect(bad.errors.split(separator: "\n").count == 1 && bad.errors.contains("SWIFTGRAD_KERNEL=turbo is not a kernel family"))
        #expect(bad.stdout.contains("kernels: \(KernelFamily.fastestForCPU)"))
    }

    /// Elementwise ops, reductions, softmax, `which`, scatter-add and both optimizers' steps give the same values
    /// in every family (products are checked per family in `MatmulTests`): float32 values that may differ by the
    /// rounding of a fused multiply-add or a sum's order, 1e-5 relative and 1e-6 absolute.
    @Test func everyFamilyComputesTheSameResults() {
        func results() -> [Tensor] {
            let g = RandomGenerator(seed: 5)
            let x = Tensor.randn([37, 53], generator: g), y = Tensor.randn([53], generator: g)
            let windows = Tensor.arange(0, 20).asStrided(shape: [6, 5], strides: [3, 1])
            let parameter = Tensor.randn([70, 33], generator: g), other = Tensor.randn([70, 33], generator: g)
            parameter.grad = Tensor.randn([70, 33], generator: g)
            other.grad = parameter.grad
            let (adam, sgd) = (AdamW([parameter], learningRate: 0.01), SGD([other], learningRate: 0.1, momentum: 0.9))
            for _ in 0..<3 {
                adam.step()
                sgd.step()
            }
            let gradient = Tensor.zeros(20).requiringGrad()
            (gradient.asStrided(shape: [6, 5], strides: [3, 1]) * windows).sum().backward()
            return [x + y, x * y, (x / y).abs(), x.exp(), x.abs().log(), x.tanh(), x.sigmoid(), x.relu(), x.sqrt(),
                    x.pow(3), x.maximum(y), x.sum(axis: 0), x.sum(axis: 1), x.max(axis: 1), x.argmax(axis: 0),
                    x.softmax(axis: -1), x.logSoftmax(axis: 0), which(x .> 0, x, y), x.transposed().contiguous(),
                    parameter, other, gradient.grad!]
        }
        let reference = KernelSettings.withFamily(.portable) { results() }
        for kernel in KernelFamily.distinctFloat32 where kernel != .portable {
            let got = KernelSettings.withFamily(kernel) { results() }
            for (index, (a, b)) in zip(got, reference).enumerated() {
                assertClose(a, b, relative: 1e-5, absolute: 1e-6, "\(kernel), result \(index)")
            }
        }
    }
}
