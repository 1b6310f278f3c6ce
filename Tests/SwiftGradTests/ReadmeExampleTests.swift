import Testing
import SwiftGrad

/// The README's code examples, verbatim, so that they keep compiling and mean what they say.
@Suite struct ReadmeExampleTests {
    @Test func libraryExample() {
        let a = Tensor([[1, 2], [3, 4]])            // shape [2, 2]
        let column = a[.all, 1]                      // a view, no copy: tensor([2., 4.])
        let b = (a * 2 + 1).sum(axis: 0)             // broadcasting and reductions: tensor([10., 14.])
        let x = Tensor.randn(3, 4)
        let y = x[.ellipsis, 1..<3].relu()          // PyTorch's x[..., 1:3].relu()
        print(b, column, y.shape)

        #expect(column.description == "tensor([2., 4.])")
        #expect(b.description == "tensor([10., 14.])")
        #expect(y.shape == [3, 2])
    }
}
