import FromScratch
import Testing
@testable import TensorCore

/// The convolution chapter: each way of computing it gives the next one's values, and the backward pass by hand
/// gives autograd's gradients. Float32 sums of up to 54 products in different orders: 1e-5 relative, 1e-5 absolute.
@Suite struct ConvolutionLessonTests {
    @Test(arguments: [0, 1])
    func everyVariantEqualsTheLibrarysConvolution(_ padding: Int) {
        let g = RandomGenerator(seed: UInt64(10 + padding))
        let x = Tensor.randn([2, 3, 7, 6], generator: g), w = Tensor.randn([4, 3, 3, 2], generator: g)
        let library = conv2d(x, w, padding: .explicit(Size2D(padding, padding)))
        #expect(library.shape == [2, 4, 5 + 2 * padding, 5 + 2 * padding])
        for (name, variant) in [("naive", conv2dNaive), ("windows", conv2dWindows), ("im2col", conv2dIm2col)] {
            assertClose(variant(x, w, padding), library, relative: 1e-5, absolute: 1e-5, "\(name), padding \(padding)")
        }
    }

    @Test func backwardByHandEqualsAutograd() {
        let g = RandomGenerator(seed: 3)
        let x = Tensor.randn([2, 3, 6, 5], generator: g).requiringGrad()
        let w = Tensor.randn([4, 3, 3, 3], generator: g).requiringGrad(), b = Tensor.randn([4], generator: g).requiringGrad()
        let outputGrad = Tensor.randn([2, 4, 4, 3], generator: g)
        (conv2d(x, w, bias: b) * outputGrad).sum().backward()
        let byHand = conv2dBackward(x.detached(), w.detached(), outputGrad: outputGrad)
        assertClose(byHand.input, x.grad!, relative: 1e-5, absolute: 1e-5, "input")
        assertClose(byHand.weight, w.grad!, relative: 1e-5, absolute: 1e-5, "weight")
        assertClose(byHand.bias, b.grad!, relative: 1e-5, absolute: 1e-5, "bias")
    }
}
