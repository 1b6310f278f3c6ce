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
        // Leading axes are rows of one product (a batched product's weight gradient would be summed over them).
        let batched = Tensor.randn([2, 9, 20], generator: g)
        let rows = withAutocast { linear(batched.reshaped(to: [18, 20]), weight: w, bias: b) }
        let inside = withAutocast { linear(batched, weight: w, bias: b) }
        #expect(inside.shape == [2, 9, 7] && Self.bits(inside) == Self.bits(rows))
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

    /// The fused attention inside: its block products read bfloat16 operands (queries, keys, values and the
    /// softmax's weights), so it is within bfloat16's error of float64 attention on the same inputs (2⁻⁸ per rounded
    /// operand: 2 % here) but not float32's bits; its gradients likewise.
    @Test func attentionInsideRunsItsBlocksOnBFloat16Operands() {
        let g = RandomGenerator(seed: 7)
        let shape = [2, 3, 70, 16]
        let (q, k, v) = (Tensor.randn(shape, generator: g).requiringGrad(), Tensor.randn(shape, generator: g).requiringGrad(),
                         Tensor.randn(shape, generator: g).requiringGrad())
        let upstream = Tensor.randn(shape, generator: g)
        let reference = { (q: Tensor, k: Tensor, v: Tensor) -> Tensor in
            let scores = matmul(q, k.transposed(-1, -2)) * (1 / Double(16).squareRoot())
            let causal = Tensor.ones([70, 70], dtype: .float64).triu(diagonal: 1)
            return matmul(scores.softmax(axis: -1, masking: causal), v)
        }
        let (q64, k64, v64) = (q.to(.float64).detached().requiringGrad(), k.to(.float64).detached().requiringGrad(),
                               v.to(.float64).detached().requiringGrad())
        let expected = reference(q64, k64, v64)
        (expected * upstream.to(.float64)).sum().backward()
        for family in [KernelSettings.family, .portable] {
            KernelSettings.withFamily(family) {
                (q.grad, k.grad, v.grad) = (nil, nil, nil)
                let y = withAutocast { scaledDotProductAttention(q, k, v, isCausal: true) }
                (y * upstream).sum().backward()
                assertClose(y.to(.float64), expected, relative: 0.02, absolute: 0.02, "output on \(family)")
                #expect(y.scalars != scaledDotProductAttention(q, k, v, isCausal: true).scalars)
                for (grad, reference) in [(q.grad!, q64.grad!), (k.grad!, k64.grad!), (v.grad!, v64.grad!)] {
                    assertClose(grad.to(.float64), reference, relative: 0.03, absolute: 0.03, "gradient on \(family)")
                }
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
