import Testing
@testable import TensorCore

@Suite struct ViewTests {
    let c = Tensor.arange(0, 24).reshaped(2, 3, 4)

    @Test func viewsShareStorageAndDoNotCopy() {
        #expect(c.transposed().sharesStorage(with: c))
        #expect(c.permuted(2, 0, 1).sharesStorage(with: c))
        #expect(c[1].sharesStorage(with: c))
        #expect(c[.all, 2].sharesStorage(with: c))
        #expect(c[.ellipsis, 1..<3].sharesStorage(with: c))
        #expect(c[1..., .step(2)].sharesStorage(with: c))
        #expect(c.reshaped(6, 4).sharesStorage(with: c))
        #expect(c.unsqueezed(axis: 1).sharesStorage(with: c))
        #expect(c[.all, 0...0].squeezed(axis: 1).sharesStorage(with: c))
        #expect(c[0, .all, 0...0].expanded(to: [5, 3, 4]).sharesStorage(with: c))
        #expect(c.contiguous() === c)
    }

    @Test func reshapeOfStridedTensorViewsWhenLayoutAllowsAndCopiesOtherwise() {
        // Merging the two leading axes of a slice along the last axis keeps a valid stride pattern.
        let sliced = c[.ellipsis, 1..<3]
        let merged = sliced.reshaped(6, 2)
        #expect(merged.sharesStorage(with: c))
        assertClose(merged, shape: [6, 2], [1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22])
        // A transpose cannot be flattened without reordering.
        let flat = c.transposed(0, 1).reshaped(-1)
        #expect(!flat.sharesStorage(with: c))
        assertClose(flat[0..<8], shape: [8], [0, 1, 2, 3, 12, 13, 14, 15])
    }

    @Test func slicingFollowsPythonSemantics() {
        assertClose(c[-1, -1], shape: [4], [20, 21, 22, 23])
        assertClose(c[1..., .step(2), 0], shape: [1, 2], [12, 20])
        assertClose(c[0, 0, .slice(1, nil, step: 2)], shape: [2], [1, 3])
        assertClose(c[0, 0, (-3)...(-2)], shape: [2], [1, 2])
        assertClose(c[0, 0, ..<(-1)], shape: [3], [0, 1, 2])
        assertClose(c[0, 0, 2..<100], shape: [2], [2, 3])
        #expect(c[0, 0, .slice(3, 1)].shape == [0])
        #expect(c[.newAxis, 0].shape == [1, 3, 4])
        #expect(c[.ellipsis, .newAxis].shape == [2, 3, 4, 1])
    }

    @Test func assignmentThroughSubscriptWritesIntoStorage() {
        let x = Tensor.ones(3, 4)
        x[.all, 0] = 0
        assertClose(x.sum(axis: 1), shape: [3], [3, 3, 3])
        x[1] = Tensor([7, 8, 9, 10])
        assertClose(x[1], shape: [4], [7, 8, 9, 10])
        let view = x.transposed()
        view[3] = Tensor([-1, -2, -3])
        assertClose(x[.all, 3], shape: [3], [-1, -2, -3])
        // An overlapping source is read before it is overwritten.
        let row = Tensor.arange(0, 5)
        row[1...] = row[..<4]
        assertClose(row, shape: [5], [0, 0, 1, 2, 3])
    }

    @Test func transposeAndPermuteRearrangeStrides() {
        let t = c.transposed(0, 2)
        #expect(t.shape == [4, 3, 2])
        #expect(t.strides == [1, 4, 12])
        #expect(!t.isContiguous)
        #expect(t.permuted(2, 1, 0).isContiguous)
        assertClose(c.permuted(1, 2, 0)[2, 3], shape: [2], [11, 23])
    }

    @Test func expandUsesZeroStridesAndRejectsIncompatibleSizes() {
        let column = Tensor([[1], [2], [3]])
        let wide = column.expanded(to: [2, 3, 4])
        #expect(wide.strides == [0, 1, 0])
        assertClose(wide.sum(), shape: [], [48])
        #expect(column.expanded(to: [-1, 5]).shape == [3, 5])
    }

    @Test func squeezeAndUnsqueeze() {
        let x = Tensor.zeros(200, 1)
        #expect(x.squeezed(axis: -1).shape == [200])
        #expect(x.squeezed(axis: 0).shape == [200, 1])
        #expect(Tensor.zeros(1, 3, 1).squeezed().shape == [3])
        #expect(Tensor.zeros(784).unsqueezed(axis: -1).shape == [784, 1])
        #expect(Tensor.zeros(784).unsqueezed(axis: 0).shape == [1, 784])
    }
}
