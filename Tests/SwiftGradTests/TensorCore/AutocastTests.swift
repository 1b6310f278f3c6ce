import Testing
@testable import TensorCore

/// `withAutocast`: products inside read float32 operands as bfloat16 (forward and backward), nothing outside
/// changes, and the scope is the task's own.
@Suite struct AutocastTests {
    static func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }

    @Test func productsInsideReadTheirOperandsAsBFloat16AndNothingOutsideChanges() {
        let g = RandomGenerator(seed: 3)
        let x = Tensor.randn([37, 70], generator: g), w = Tensor.randn([70, 45], generator: g)
        let before = Self.bits(matmul(x, w))
        let inside = withAutocast { matmul(x, w) }
        #expect(inside.dtype == .float32)
        #expect(Self.bits(inside) == Self.bits(matmul(x.to(.bfloat16), w.to(.bfloat16))))
        #expect(Self.bits(inside) != before)
        #expect(Self.bits(matmul(x, w)) == before && Autocast.dtype == nil)
        #expect(withAutocast { Autocast.dtype } == .bfloat16)
        #expect(withAutocast { withAutocast(enabled: false) { Self.bits(matmul(x, w)) } } == before)
        // float64 products are not autocast (PyTorch's CPU autocast leaves them too).
        let double = x.to(.float64)
        #expect(withAutocast { matmul(double, w.to(.float64)) }.dtype == .float64)
        // einsum's products are matmuls.
        #expect(Self.bits(withAutocast { einsum("ik,kj->ij", x, w) }) == Self.bits(inside))
    }

    @Test func linearInsideIsTheBFloat16ProductThenBiasAndActivation() {
        let g = RandomGenerator(seed: 4)
        let x = Tensor.randn([9, 20], generator: g), w = Tensor.randn([7, 20], generator: g), b = Tensor.randn([7], generator: g)
        for activation in [Activation.identity, .relu, .gelu] {
            let inside = withAutocast { linear(x, weight: w, bias: b, activation: activation) }
            let expected = (matmul(x.to(.bfloat16), w.to(.bfloat16).transposed()) + b).activated(activation)
            #expect(Self.bits(inside) == Self.bits(expected), "\(activation)")
        }
    }

    @Test func gradientsOfProductsRecordedInsideAreBFloat16ProductsWhereverBackwardRuns() {
        let g = RandomGenerator(seed: 5)
        let x = Tensor.randn([6, 11], generator: g).requiringGrad(), w = Tensor.randn([5, 11], generator: g).requiringGrad()
        let upstream = Tensor.randn([6, 5], generator: g)
        let loss = withAutocast { (linear(x, weight: w) * upstream).sum() }
        loss.backward()
        // dx = g·W and dW = gᵀ·x with every operand rounded to bfloat16, sums in float64 here (within float32 sums).
        let (g16, x16, w16) = (upstream.to(.bfloat16).to(.float64), x.to(.bfloat16).to(.float64), w.to(.bfloat16).to(.float64))
        assertClose(x.grad!.to(.float64), matmul(g16, w16), relative: 1e-6, absolute: 1e-6, "dx")
        assertClose(w.grad!.to(.float64), matmul(g16.transposed(), x16), relative: 1e-6, absolute: 1e-6, "dW")
        #expect(x.grad!.dtype == .float32 && w.grad!.dtype == .float32)
    }

    /// A convolution inside: its products (forward, input and weight gradients) on bfloat16 operands, as the float32
    /// convolution of operands and an upstream gradient rounded beforehand (within float32 sums' order).
    @Test func convolutionsInsideRunTheirProductsOnBFloat16Operands() {
        let g = RandomGenerator(seed: 6)
        let x = Tensor.randn([3, 4, 9, 8], generator: g).requiringGrad(), w = Tensor.randn([6, 4, 3, 3], generator: g).requiringGrad()
        let b = Tensor.randn([6], generator: g)
        let upstream = Tensor.randn([3, 6, 9, 8], generator: g)
        for family in [KernelSettings.family, .portable] {
            KernelSettings.withFamily(family) {
                x.grad = nil
                w.grad = nil
                let y = withAutocast { conv2d(x, w, bias: b, padding: 1, activation: .relu) }
                (y * upstream).sum().backward()
                let (xr, wr) = withoutGradient { (x.to(.bfloat16).to(.float32).requiringGrad(), w.to(.bfloat16).to(.float32).requiringGrad()) }
                let yr = conv2d(xr, wr, bias: b, padding: 1, activation: .relu)
                (yr * upstream.to(.bfloat16).to(.float32)).sum().backward()
                assertClose(y, yr, relative: 1e-5, absolute: 1e-5, "output on \(family)")
                assertClose(x.grad!, xr.grad!, relative: 1e-5, absolute: 1e-5, "input gradient on \(family)")
                assertClose(w.grad!, wr.grad!, relative: 1e-5, absolute: 1e-4, "weight gradient on \(family)")
                #expect(y.scalars != conv2d(x, w, bias: b, padding: 1, activation: .relu).scalars)
            }
        }
    }

    @Test func theScopeIsTheTasksOwn() async {
        await withTaskGroup(of: DType?.self) { group in
            for task in 0..<6 {
                group.addTask {
                    task % 2 == 0 ? withAutocast { (0..<500).allSatisfy { _ in Autocast.dtype == .bfloat16 } ? .bfloat16 : nil }
                        : (0..<500).allSatisfy { _ in Autocast.dtype == nil } ? .float32 : nil
                }
            }
            for await result in group { #expect(result != nil) }
        }
    }
}
