import Testing
@testable import TensorCore

/// Printing matches PyTorch's format (strings checked against `print(tensor)` in PyTorch 2.x).
@Suite struct PrintingTests {
    @Test func columnIsRightAlignedWithFourDecimals() {
        #expect(Tensor([[362.1924], [1227.9335]]).description == "tensor([[ 362.1924],\n        [1227.9335]])")
    }

    @Test func integralValuesPrintWithTrailingPoint() {
        #expect(Tensor([1, 2, 3]).description == "tensor([1., 2., 3.])")
        #expect(Tensor([[1, -2], [30, 4]]).description == "tensor([[ 1., -2.],\n        [30.,  4.]])")
        #expect(Tensor(scalar: 3.5).description == "tensor(3.5000)")
    }

    @Test func wideRangeSwitchesToScientific() {
        #expect(Tensor([1e-5, 1]).description == "tensor([1.0000e-05, 1.0000e+00])")
    }

    @Test func largeTensorsElideTheirMiddle() {
        // Integers spanning more than three decades switch to scientific notation, as in PyTorch.
        #expect(Tensor.arange(0, 2000).description == """
            tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,
                    1.9990e+03])
            """)
        #expect(Tensor.arange(100, 1200).description == "tensor([ 100.,  101.,  102.,  ..., 1197., 1198., 1199.])")
        let matrix = Tensor.arange(100, 1300).reshaped(60, 20).description
        #expect(matrix.hasPrefix("tensor([[ 100.,  101.,  102.,  ...,  117.,  118.,  119.],\n        [ 120.,"))
        #expect(matrix.contains("\n        ...,\n"))
    }

    @Test func threeDimensionalBlocksAreSeparatedByBlankLines() {
        #expect(Tensor.arange(0, 8).reshaped(2, 2, 2).description
                == "tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])")
    }

    @Test func debugDescriptionShowsShapeAndDType() {
        let x = Tensor.zeros(2, 3).transposed()
        #expect(x.debugDescription.hasPrefix("Tensor(shape: [3, 2], dtype: float32, strided) tensor("))
        #expect(Tensor([1.5], dtype: .float64).description == "tensor([1.5000], dtype=float64)")
    }
}
