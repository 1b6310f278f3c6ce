@testable import NN
import Testing
@testable import TensorCore

/// Forward and backward hooks on modules, and the tensor-level gradient hook under them.
@Suite struct ModuleHookTests {
    /// A small MLP whose first layer's output has negative entries, so that a fused Linear → ReLU would hide them.
    static func model() -> Sequential {
        let generator = RandomGenerator(seed: 4)
        return Sequential { Linear(3, 5, generator: generator); ReLU(); Linear(5, 2, generator: generator) }.fused()
    }

    @Test func forwardHookSeesTheLayersOwnOutputAndIsRemovedByItsHandle() {
        let model = Self.model()
        let x = Tensor.randn([6, 3], generator: RandomGenerator(seed: 5))
        let expected = model(x)
        var seen: [(input: Tensor, output: Tensor)] = []
        let handle = model.layers[0].registerForwardHook { module, input, output in
            #expect(module === model.layers[0])
            seen.append((input, output))
        }
        let hooked = model(x)
        #expect(seen.count == 1)
        // The hook sees Linear's output before ReLU (the layer runs unfused): some of it is negative, and it is
        // the product plus the bias.
        let linear = model.layers[0] as! Linear
        assertClose(seen[0].output, x.matmul(linear.weight.transposed()) + linear.bias!, relative: 1e-5, absolute: 1e-6)
        #expect(seen[0].output.min().item() < 0)
        #expect(seen[0].input === x)
        assertClose(hooked, expected, relative: 1e-6, absolute: 1e-6)

        handle.remove()
        handle.remove()
        _ = model(x)
        #expect(seen.count == 1)
        #expect(!model.layers[0].hasHooks)
    }

    @Test func backwardHookGetsTheGradientAtTheOutputAndStopsAfterRemoval() {
        let model = Self.model()
        let x = Tensor.randn([6, 3], generator: RandomGenerator(seed: 6))
        var gradients: [Tensor] = []
        let handle = model.layers[1].registerBackwardHook { _, gradient in gradients.append(gradient) }
        var calls = 0
        let other = model.layers[2].registerBackwardHook { _, _ in calls += 1 }
        model(x).sum().backward()
        // d(sum of outputs)/d(ReLU's output) is the column sums of the last layer's weight, in every row.
        let last = model.layers[2] as! Linear
        #expect(gradients.count == 1 && calls == 1)
        assertClose(gradients[0], last.weight.sum(axis: 0, keepDims: true).expanded(to: [6, 5]).contiguous(),
                    relative: 1e-6, absolute: 1e-7)
        // The hook observes; the parameters' gradients are those of the model without it.
        let hookedGradient = (model.layers[0] as! Linear).weight.grad!.copied()
        handle.remove()
        other.remove()
        model.zeroGrad()
        model(x).sum().backward()
        #expect(gradients.count == 1 && calls == 1)
        assertClose((model.layers[0] as! Linear).weight.grad!, hookedGradient, relative: 1e-6, absolute: 1e-7)
    }

    @Test func backwardHookDoesNotFireWithoutARecordedGraph() {
        let model = Self.model()
        var calls = 0
        model.registerBackwardHook { _, _ in calls += 1 }
        _ = withoutGradient { model(Tensor.ones([2, 3])) }
        #expect(calls == 0)
    }

    @Test func observingGradientPassesTheGradientThroughUnchanged() {
        let a = Tensor([1.0, -2.0, 3.0]).requiringGrad()
        var observed: Tensor?
        let b = (a * 2).observingGradient { observed = $0 }
        (b * b).sum().backward()
        assertClose(try! #require(observed), shape: [3], [4, -8, 12])
        assertClose(a.grad!, shape: [3], [8, -16, 24])
    }
}
