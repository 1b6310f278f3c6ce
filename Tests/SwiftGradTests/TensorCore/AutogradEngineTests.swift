import Testing
@testable import TensorCore

@Suite struct AutogradEngineTests {
    @Test func gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        let w = Tensor([1, 2, 3]).requiringGrad()
        (w * w).sum().backward()
        (w * 3).sum().backward()
        #expect(w.grad?.scalars == [5, 7, 9])
        w.zeroGrad()
        #expect(w.grad == nil)
        w.sum().backward()
        #expect(w.grad?.scalars == [1, 1, 1])
    }

    @Test func backwardWithGradientOnNonScalar() {
        let x = Tensor([[1, 2], [3, 4]]).requiringGrad()
        let y = x * x
        y.backward(gradient: Tensor([[1, 0], [0, 1]]))
        #expect(x.grad?.scalars == [2, 0, 0, 8])
    }

    @Test func detachedAndWithoutGradientRecordNothing() {
        let x = Tensor([1, 2]).requiringGrad()
        #expect(!(x.detached() * 2).requiresGrad)
        let y = withoutGradient { x * 2 }
        #expect(!y.requiresGrad && y.isLeaf)
        #expect((x * 2).requiresGrad)
        #expect(!withoutGradient { isGradientRecordingEnabled })
    }

    @Test func retainGraphAllowsASecondBackward() {
        let x = Tensor([2.0]).requiringGrad()
        let y = (x * x * x).sum()
        y.backward(retainGraph: true)
        y.backward()
        #expect(x.grad?.scalars == [24])
    }

    @Test func secondBackwardThroughAFreedGraphStops() async {
        await #expect(processExitsWith: .failure) {
            let x = Tensor([2.0]).requiringGrad()
            let y = (x * x).sum()
            y.backward()
            y.backward()
        }
    }

    @Test func retainGradKeepsAnIntermediateGradient() {
        let x = Tensor([1, -2, 3]).requiringGrad()
        let h = x * 2
        h.retainGrad()
        h.relu().sum().backward()
        #expect(h.grad?.scalars == [1, 0, 1])
        #expect(x.grad?.scalars == [2, 0, 2])
    }

    @Test func broadcastGradientsAreSummedBackToTheInputShape() {
        let bias = Tensor([0.5, -0.5]).requiringGrad()
        let x = Tensor.ones(4, 2)
        (x + bias).sum().backward()
        #expect(bias.grad?.shape == [2])
        #expect(bias.grad?.scalars == [4, 4])
    }

    @Test func deepGraphsDoNotOverflowTheStack() {
        let x = Tensor([1.0]).requiringGrad()
        var y = x
        for _ in 0..<20_000 { y = y + 0 }
        y.sum().backward()
        #expect(x.grad?.scalars == [1])
    }

    @Test func inPlaceUpdateOfARecordedTensorStops() async {
        await #expect(processExitsWith: .failure) {
            let w = Tensor([1.0]).requiringGrad()
            w += 1
        }
    }
}

extension AutogradEngineTests {
    /// A forward pass whose graph is never used for backward must not keep its tensors alive (a pullback that
    /// captured its own output made a reference cycle).
    @Test func unusedGraphsAreFreed() {
        let ops: [(String, (Tensor) -> Tensor)] = [
            ("exp", { $0.exp() }), ("sqrt", { $0.abs().sqrt() }), ("sigmoid", { $0.sigmoid() }), ("tanh", { $0.tanh() }),
            ("softmax", { $0.softmax(axis: 1) }), ("logSoftmax", { $0.logSoftmax(axis: 1) }),
            ("max", { $0.max(axis: 1) }), ("matmul", { $0.matmul($0.transposed()) }), ("relu", { $0.relu() }),
            ("linear relu", { linear($0, weight: $0, bias: $0.sum(axis: 1), activation: .relu) }),
            ("conv2d relu", { conv2d($0.reshaped(to: [1, 1, 4, 3]), $0.reshaped(to: [1, 1, 4, 3]), activation: .relu) }),
            ("batchNormReLU", { batchNormReLU($0.reshaped(to: [2, 2, 3]), runningMean: nil, runningVariance: nil, training: true) }),
            ("batchNormReLU maxPool", {
                batchNormReLU($0.reshaped(to: [1, 1, 4, 3]), runningMean: nil, runningVariance: nil, training: true,
                              maxPool: MaxPoolWindow(kernel: 2))
            }),
        ]
        for (name, op) in ops {
            weak var output: Tensor?
            do {
                let y = op(Tensor.randn(4, 3).requiringGrad())
                #expect(y.requiresGrad)
                output = y
            }
            #expect(output == nil, "\(name) keeps its output alive")
        }
    }
}

/// `Tensor.custom`: a user's op with its own backward, checked against finite differences in float64.
@Suite struct CustomOpTests {
    static func softplus(_ x: Tensor) -> Tensor {
        let y = withoutGradient { (x.exp() + 1).log() }
        return Tensor.custom("softplus", inputs: [x], value: y) { g in [g * x.detached().sigmoid()] }
    }

    @Test func aCustomOpsGradientPassesGradcheck() {
        let x = Tensor(shape: [2, 3], scalars: [-2, -0.5, 0.1, 0.7, 1.5, 3], dtype: .float64)
        let result = gradcheck({ Self.softplus($0[0]) * $0[0] }, inputs: [x])
        #expect(result.passed, "\(result)")
        #expect(!withoutGradient { Self.softplus(x.requiringGrad()) }.requiresGrad)
    }
}
