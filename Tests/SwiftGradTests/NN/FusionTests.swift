@testable import NN
import Testing
@testable import TensorCore

/// Fusion is asked of each module (`FusibleModule`), not recognised by type: a user's module and a subclass of
/// `Linear` get it, a fused `Sequential` keeps the unfused one's state-dict keys, and nothing fuses unless asked.
@Suite struct FusionTests {
    /// A user module that fuses the activation after it into its own product, counting how often it does.
    final class Projection: Module, FusibleModule {
        let inner: Linear
        nonisolated(unsafe) var fusedCalls = 0
        init(generator: RandomGenerator) { inner = Linear(4, 6, generator: generator) }
        override func forward(_ x: Tensor) -> Tensor { inner(x) }
        func fused(with following: ArraySlice<Module>) -> FusedStep? {
            guard let next = following.first as? ActivationLayer else { return nil }
            return FusedStep(followers: 1) { x in
                self.fusedCalls += 1
                return linear(x, weight: self.inner.weight, bias: self.inner.bias, activation: next.activation)
            }
        }
    }

    /// A LoRA-style adapter: the frozen product plus a low-rank update, through the one overridable forward pass.
    final class LowRankAdapted: Linear {
        let down: Tensor, up: Tensor
        init(generator: RandomGenerator) {
            down = Tensor.randn([2, 6], generator: generator)
            up = Tensor.randn([6, 2], generator: generator)
            super.init(6, 6, generator: generator)
        }
        override func forward(_ input: Tensor, then following: Activation) -> Tensor {
            (super.forward(input, then: .identity) + input.matmul(down.transposed()).matmul(up.transposed())).activated(following)
        }
    }

    @Test func aUserModuleAndALinearSubclassFuseAndKeepTheirValues() {
        let generator = RandomGenerator(seed: 21)
        let projection = Projection(generator: generator), adapted = LowRankAdapted(generator: generator)
        let plain = Sequential { projection; GELU(); adapted; ReLU(); Linear(6, 2, generator: generator) }
        let fused = plain.fused()
        #expect(!plain.isFused && fused.isFused)
        let x = Tensor.randn([3, 4], generator: generator)
        let expected = plain.layers.reduce(x) { $1($0) }
        #expect(projection.fusedCalls == 0)
        assertClose(fused(x), expected, relative: 1e-6, absolute: 1e-6)
        assertClose(plain(x), expected, relative: 0, absolute: 0)
        #expect(projection.fusedCalls == 1)
        // The adapter's update is there in a plain call too: the product plus h · downᵀ · upᵀ.
        let h = Tensor.randn([3, 6], generator: generator)
        let update = h.matmul(adapted.down.transposed()).matmul(adapted.up.transposed())
        assertClose(adapted(h), h.matmul(adapted.weight.transposed()) + adapted.bias! + update, relative: 1e-5, absolute: 1e-5)
        #expect(fused.stateDict().keys.sorted() == plain.stateDict().keys.sorted())
        #expect(fused.layers[0] === plain.layers[0])
    }

    @Test func aHookedLayerRunsItsStepLayerByLayer() {
        let generator = RandomGenerator(seed: 22)
        let projection = Projection(generator: generator)
        let model = Sequential { projection; ReLU() }.fused()
        var seen: Tensor?
        model.layers[1].registerForwardHook { _, input, _ in seen = input }
        let x = Tensor.randn([2, 4], generator: generator)
        _ = model(x)
        #expect(projection.fusedCalls == 0)
        assertClose(seen!, projection(x), relative: 0, absolute: 0)
    }
}
