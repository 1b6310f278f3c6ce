import Testing
@testable import TensorCore

/// Views whose positions share memory: reading them works, gradients through them add up, and writing into
/// them stops with a message (PyTorch: "unsupported operation: more than one element of the written-to tensor
/// refers to a single memory location").
@Suite struct OverlapTests {
    @Test func overlapIsDecidedExactly() {
        #expect(!Shapes.hasOverlappingPositions(shape: [2, 3], strides: [3, 1]))
        #expect(!Shapes.hasOverlappingPositions(shape: [3, 2], strides: [1, 3]))
        #expect(!Shapes.hasOverlappingPositions(shape: [1, 3], strides: [0, 1]))
        #expect(!Shapes.hasOverlappingPositions(shape: [0, 3], strides: [0, 0]))
        #expect(Shapes.hasOverlappingPositions(shape: [4, 3], strides: [0, 1]))
        #expect(Shapes.hasOverlappingPositions(shape: [3, 3], strides: [1, 1]))
        // Interleaved but disjoint: offsets {0, 3} + {0, 2, 4} are 0, 2, 3, 4, 5, 7.
        #expect(!Shapes.hasOverlappingPositions(shape: [2, 3], strides: [3, 2]))
        // Offsets {0, 2} + {0, 3, 6}: 0, 2, 3, 5, 6, 8 — disjoint; {0, 3} + {0, 3}: overlap.
        #expect(!Shapes.hasOverlappingPositions(shape: [3, 2], strides: [3, 2]))
        #expect(Shapes.hasOverlappingPositions(shape: [2, 2], strides: [3, 3]))
        #expect(Shapes.hasOverlappingPositions(shape: [2, 2, 2], strides: [4, 2, 6]))
    }

    @Test func slidingWindowsReadTheRightElements() {
        let x = Tensor.arange(0, 5)
        let windows = x.asStrided(shape: [3, 3], strides: [1, 1])
        #expect(windows.sharesStorage(with: x))
        assertClose(windows, shape: [3, 3], [0, 1, 2, 1, 2, 3, 2, 3, 4])
        assertClose(Tensor.arange(0, 12).reshaped(3, 4).transposed().asStrided(shape: [2, 2], strides: [3, 1], offset: 1),
                    shape: [2, 2], [4, 8, 5, 9])
    }

    @Test func gradientsOfOverlappingPositionsAddUp() {
        let x = Tensor.zeros(5).requiringGrad()
        x.asStrided(shape: [3, 3], strides: [1, 1]).sum().backward()
        assertClose(x.grad!, shape: [5], [1, 2, 3, 2, 1])
        let y = Tensor.zeros(2).requiringGrad()
        (y.asStrided(shape: [3, 2], strides: [0, 1]) * Tensor([[1, 2], [3, 4], [5, 6]])).sum().backward()
        assertClose(y.grad!, shape: [2], [9, 12])
    }

    @Test func writingIntoAnExpandedViewStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let e = Tensor.zeros(1, 3).expanded(to: [100, 3])
            e += Tensor.ones(100, 3)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("add_: cannot write into a view whose positions share memory (shape [100, 3], strides [0, 1])"))
    }

    @Test func assigningIntoOverlappingWindowsStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let windows = Tensor.zeros(5).asStrided(shape: [3, 3], strides: [1, 1])
            windows[.all, 0] = Tensor.ones(3)
            windows[0...1] = Tensor.ones(2, 3)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("index assignment: cannot write into a view whose positions share memory (shape [2, 3], strides [1, 1])"))
    }

    @Test func replacingValuesOfARepeatedElementStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Tensor.zeros(2).asStrided(shape: [2, 2], strides: [0, 1]).replaceValues(with: Tensor.ones(2, 2))
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("replaceValues: cannot write into a view whose positions share memory (shape [2, 2], strides [0, 1])"))
    }

    @Test func writesThroughDisjointStridedViewsStillWork() {
        let x = Tensor.zeros(3, 4)
        x[.all, .step(2)] = Tensor.ones(3, 2)
        x.transposed()[1] += Tensor([1, 2, 3])
        assertClose(x, shape: [3, 4], [1, 1, 1, 0, 1, 2, 1, 0, 1, 3, 1, 0])
    }

    @Test func asStridedOutsideTheTensorStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(5).asStrided(shape: [3, 3], strides: [1, 2])
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("asStrided: shape [3, 3], strides [1, 2] and offset 0 reach element 6 of a tensor of 5 elements"))
    }
}
