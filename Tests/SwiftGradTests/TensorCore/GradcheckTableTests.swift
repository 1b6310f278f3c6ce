import Testing
@testable import TensorCore

/// One table drives a float64 finite-difference check of every differentiable op, on several shapes, with
/// strided, broadcast and sliced inputs built inside the function.
@Suite struct GradcheckTableTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let shapes: [[Int]]
        /// Inputs are drawn from N(0, 1), or from U(0.5, 2) for ops defined only for positive numbers.
        var positive = false
        let function: @Sendable ([Tensor]) -> Tensor
        var testDescription: String { "\(name) \(shapes)" }
    }

    static let cases: [Case] = [
        Case(name: "add broadcast", shapes: [[3, 4], [4]]) { $0[0] + $0[1] },
        Case(name: "add broadcast both", shapes: [[2, 1, 3], [4, 1]]) { $0[0] + $0[1] },
        Case(name: "subtract", shapes: [[3, 1], [1, 4]]) { $0[0] - $0[1] },
        Case(name: "multiply", shapes: [[2, 3, 4], [3, 1]]) { $0[0] * $0[1] },
        Case(name: "divide", shapes: [[3, 4], [4]], positive: true) { $0[0] / $0[1] },
        Case(name: "scalar arithmetic", shapes: [[5]]) { 2 - ($0[0] * 3 + 1) / 4 },
        Case(name: "negate", shapes: [[3, 2]]) { -$0[0] },
        Case(name: "exp", shapes: [[2, 3]]) { $0[0].exp() },
        Case(name: "log", shapes: [[2, 3]], positive: true) { $0[0].log() },
        Case(name: "sqrt", shapes: [[4]], positive: true) { $0[0].sqrt() },
        Case(name: "abs", shapes: [[6]]) { $0[0].abs() },
        Case(name: "pow 2", shapes: [[3, 3]]) { $0[0].pow(2) },
        Case(name: "pow 3", shapes: [[3, 3]]) { $0[0].pow(3) },
        Case(name: "pow -1.5", shapes: [[4]], positive: true) { $0[0].pow(-1.5) },
        Case(name: "pow -0.5", shapes: [[4]], positive: true) { $0[0].pow(-0.5) },
        Case(name: "pow -1", shapes: [[4]], positive: true) { $0[0].pow(-1) },
        Case(name: "pow -2", shapes: [[4]], positive: true) { $0[0].pow(-2) },
        Case(name: "clamped", shapes: [[10]]) { $0[0].clamped(min: -0.5, max: 0.7) },
        Case(name: "clamped min", shapes: [[3, 4]]) { $0[0].clamped(min: 0) },
        Case(name: "relu", shapes: [[3, 4]]) { $0[0].relu() },
        Case(name: "sigmoid", shapes: [[3, 4]]) { $0[0].sigmoid() },
        Case(name: "tanh", shapes: [[3, 4]]) { $0[0].tanh() },
        Case(name: "maximum", shapes: [[3, 4], [4]]) { $0[0].maximum($0[1]) },
        Case(name: "minimum", shapes: [[3, 4], [3, 1]]) { $0[0].minimum($0[1]) },
        Case(name: "which", shapes: [[3, 4], [3, 4], [4]]) { which($0[0] .> 0, $0[1], $0[2]) },
        Case(name: "sum", shapes: [[2, 3, 4]]) { $0[0].sum() },
        Case(name: "sum axis", shapes: [[2, 3, 4]]) { $0[0].sum(axis: 1) },
        Case(name: "sum keepDims", shapes: [[2, 3, 4]]) { $0[0].sum(axis: -1, keepDims: true) * $0[0] },
        Case(name: "mean", shapes: [[2, 3, 4]]) { $0[0].mean(axis: 0) },
        Case(name: "max all", shapes: [[3, 5]]) { $0[0].max() },
        Case(name: "max axis", shapes: [[3, 5]]) { $0[0].max(axis: 1) },
        Case(name: "min axis keepDims", shapes: [[3, 5]]) { $0[0].min(axis: 0, keepDims: true) },
        Case(name: "softmax", shapes: [[3, 5]]) { $0[0].softmax(axis: -1) },
        Case(name: "softmax axis 0", shapes: [[3, 5]]) { $0[0].softmax(axis: 0) },
        Case(name: "logSoftmax", shapes: [[4, 6]]) { $0[0].logSoftmax(axis: 1) },
        Case(name: "reshape", shapes: [[2, 6]]) { $0[0].reshaped(3, 4) * Tensor.arange(0, 12, dtype: .float64).reshaped(3, 4) },
        Case(name: "reshape of transpose (copy)", shapes: [[3, 4]]) { $0[0].transposed().reshaped(-1).exp() },
        Case(name: "transpose", shapes: [[2, 3, 4]]) { $0[0].transposed(0, 2).exp() },
        Case(name: "permute", shapes: [[2, 3, 4]]) { $0[0].permuted(1, 2, 0).sigmoid() },
        Case(name: "expand", shapes: [[3, 1]]) { $0[0].expanded(to: [2, 3, 4]).exp() },
        Case(name: "squeeze unsqueeze", shapes: [[3, 1]]) { $0[0].squeezed(axis: 1).unsqueezed(axis: 0).exp() },
        Case(name: "index", shapes: [[3, 4]]) { $0[0][1].exp() },
        Case(name: "slice", shapes: [[4, 6]]) { $0[0][1..., .step(2)].exp() },
        Case(name: "column", shapes: [[4, 3]]) { $0[0][.all, -1] * 2 },
        Case(name: "ellipsis", shapes: [[2, 3, 4]]) { $0[0][.ellipsis, 1..<3].tanh() },
        Case(name: "asStrided overlapping windows", shapes: [[7]]) { $0[0].asStrided(shape: [5, 3], strides: [1, 1]).exp() },
        Case(name: "asStrided 2x2 patches", shapes: [[3, 4]]) { $0[0].asStrided(shape: [2, 3, 2, 2], strides: [4, 1, 4, 1]).tanh() },
        Case(name: "asStrided of a transpose", shapes: [[3, 4]]) { $0[0].transposed().asStrided(shape: [3, 3], strides: [2, 1], offset: 1).exp() },
        Case(name: "asStrided repeated element", shapes: [[3]]) { $0[0].asStrided(shape: [4, 2], strides: [0, 2]).sigmoid() },
        Case(name: "index of overlapping windows", shapes: [[6]]) { $0[0].asStrided(shape: [4, 3], strides: [1, 1])[1..., .step(2)].exp() },
        Case(name: "einsum diagonal of overlapping windows", shapes: [[5]]) { einsum("ii->i", $0[0].asStrided(shape: [3, 3], strides: [1, 1])).exp() },
        Case(name: "conv2d", shapes: [[2, 3, 5, 4], [4, 3, 3, 2], [4]]) { conv2d($0[0], $0[1], bias: $0[2]) },
        Case(name: "conv2d stride padding", shapes: [[1, 2, 6, 5], [3, 2, 3, 3]]) { conv2d($0[0], $0[1], stride: [2, 1], padding: [1, 2]) },
        Case(name: "conv2d dilation", shapes: [[1, 2, 7, 7], [2, 2, 3, 2]]) { conv2d($0[0], $0[1], padding: 1, dilation: 2) },
        Case(name: "conv2d groups", shapes: [[2, 4, 4, 4], [6, 2, 3, 3], [6]]) { conv2d($0[0], $0[1], bias: $0[2], padding: 1, groups: 2) },
        Case(name: "conv2d depthwise", shapes: [[1, 3, 5, 5], [3, 1, 3, 3]]) { conv2d($0[0], $0[1], stride: 2, groups: 3) },
        Case(name: "conv2d 1x1", shapes: [[2, 3, 3, 3], [5, 3, 1, 1]]) { conv2d($0[0], $0[1]) },
        Case(name: "conv2d kernel wider than stride", shapes: [[1, 1, 6, 6], [2, 1, 4, 4]]) { conv2d($0[0], $0[1], stride: 3, padding: 2) },
        Case(name: "conv2d same", shapes: [[1, 2, 5, 4], [2, 2, 2, 3]]) { conv2d($0[0], $0[1], padding: .same) },
        Case(name: "maxPool2d", shapes: [[2, 2, 5, 4]]) { maxPool2d($0[0], kernel: 2) },
        Case(name: "maxPool2d overlapping padded", shapes: [[1, 2, 5, 5]]) { maxPool2d($0[0], kernel: 3, stride: 2, padding: 1) },
        Case(name: "avgPool2d", shapes: [[1, 2, 5, 5]]) { avgPool2d($0[0], kernel: 3, stride: 1, padding: 1) },
        Case(name: "adaptiveAvgPool2d", shapes: [[2, 3, 4, 5]]) { adaptiveAvgPool2d($0[0]) },
        Case(name: "adaptiveAvgPool2d 2x3", shapes: [[1, 2, 5, 7]]) { adaptiveAvgPool2d($0[0], outputSize: [2, 3]) },
        Case(name: "batchNorm training", shapes: [[4, 3, 2, 2], [3], [3]]) {
            batchNorm($0[0], runningMean: nil, runningVariance: nil, weight: $0[1], bias: $0[2], training: true)
        },
        Case(name: "batchNorm 1d", shapes: [[5, 3]]) { batchNorm($0[0], runningMean: nil, runningVariance: nil, training: true) },
        Case(name: "linear relu", shapes: [[3, 4], [5, 4], [5]]) { linear($0[0], weight: $0[1], bias: $0[2], activation: .relu) },
        Case(name: "conv2d relu", shapes: [[2, 2, 5, 5], [3, 2, 3, 3], [3]]) {
            conv2d($0[0], $0[1], bias: $0[2], padding: 1, activation: .relu)
        },
        Case(name: "batchNormReLU", shapes: [[4, 3, 2, 2], [3], [3]]) {
            batchNormReLU($0[0], runningMean: nil, runningVariance: nil, weight: $0[1], bias: $0[2], training: true)
        },
        Case(name: "batchNormReLU maxPool 2", shapes: [[2, 3, 5, 5], [3], [3]]) {
            batchNormReLU($0[0], runningMean: nil, runningVariance: nil, weight: $0[1], bias: $0[2], training: true,
                          maxPool: MaxPoolWindow(kernel: 2))
        },
        Case(name: "batchNormReLU maxPool 3 stride 2 padding 1", shapes: [[2, 2, 6, 5]]) {
            batchNormReLU($0[0], runningMean: nil, runningVariance: nil, training: true,
                          maxPool: MaxPoolWindow(kernel: 3, stride: 2, padding: 1))
        },
        Case(name: "padded", shapes: [[2, 3]]) { $0[0].padded([(1, 0), (2, 1)], value: 0.5).exp() },
        Case(name: "concatenated", shapes: [[2, 3], [1, 3]]) { Tensor.concatenated([$0[0], $0[1].exp()], axis: 0) },
        Case(name: "stacked", shapes: [[2, 3], [2, 3]]) { Tensor.stacked([$0[0], $0[1]], axis: 1).tanh() },
        Case(name: "sum axes", shapes: [[2, 3, 4, 2]]) { $0[0].sum(axes: [0, 2, 3]) },
        Case(name: "mean axes keepDims", shapes: [[2, 3, 4]]) { $0[0].mean(axes: [0, 2], keepDims: true) * $0[0] },
        Case(name: "variance axes", shapes: [[3, 2, 4]]) { $0[0].variance(axes: [0, 2], unbiased: true) },
        Case(name: "contiguous", shapes: [[3, 4]]) { $0[0].transposed().contiguous().exp() },
        Case(name: "matmul 2d", shapes: [[3, 4], [4, 5]]) { $0[0].matmul($0[1]) },
        Case(name: "matmul transposed operands", shapes: [[4, 3], [5, 4]]) { $0[0].transposed().matmul($0[1].transposed()) },
        Case(name: "matmul 1d x 2d", shapes: [[4], [4, 3]]) { $0[0].matmul($0[1]) },
        Case(name: "matmul 2d x 1d", shapes: [[3, 4], [4]]) { $0[0].matmul($0[1]) },
        Case(name: "matmul 1d x 1d", shapes: [[5], [5]]) { $0[0].matmul($0[1]) },
        Case(name: "matmul batched broadcast", shapes: [[2, 1, 3, 4], [5, 4, 2]]) { $0[0].matmul($0[1]) },
        Case(name: "einsum contraction", shapes: [[3, 4], [4, 5]]) { einsum("ik,kj->ij", $0[0], $0[1]) },
        Case(name: "einsum trace", shapes: [[4, 4]]) { einsum("ii->", $0[0]) },
        Case(name: "einsum diagonal", shapes: [[4, 4]]) { einsum("ii->i", $0[0]) },
        Case(name: "einsum batched", shapes: [[2, 3, 4], [2, 4, 5]]) { einsum("bij,bjk->bik", $0[0], $0[1]) },
        Case(name: "einsum three operands", shapes: [[3, 4], [4, 5], [5, 2]]) { einsum("ik,kj,jl->il", $0[0], $0[1], $0[2]) },
        Case(name: "einsum outer", shapes: [[3], [4]]) { einsum("i,j->ij", $0[0], $0[1]) },
        Case(name: "einsum ellipsis", shapes: [[2, 3, 4], [2, 4, 5]]) { einsum("...ij,...jk->...ik", $0[0], $0[1]) },
        Case(name: "reuse in graph", shapes: [[3, 3]]) { ($0[0] * $0[0]).matmul($0[0]).sum(axis: 0) },
        Case(name: "gelu", shapes: [[3, 5]]) { $0[0].gelu() },
        Case(name: "gelu tanh", shapes: [[3, 5]]) { $0[0].gelu(approximate: .tanh) },
        Case(name: "linear gelu", shapes: [[3, 4], [5, 4], [5]]) { linear($0[0], weight: $0[1], bias: $0[2], activation: .gelu) },
        Case(name: "layerNorm", shapes: [[2, 3, 5], [5], [5]]) { layerNorm($0[0], normalizedShape: [5], weight: $0[1], bias: $0[2]) },
        Case(name: "layerNorm two axes no affine, transposed input", shapes: [[4, 3, 2]]) {
            layerNorm($0[0].transposed(0, 2), normalizedShape: [3, 4])
        },
        Case(name: "layerNorm width 1", shapes: [[3, 1], [1], [1]]) { layerNorm($0[0], normalizedShape: [1], weight: $0[1], bias: $0[2]) + $0[0] },
        // Without a padding index: its row deliberately gets no gradient (PyTorch's padding_idx), which a finite
        // difference would see (TransformerOpsFixtureTests checks it).
        Case(name: "embedding repeated ids", shapes: [[5, 3]]) { embedding(Tensor([[1, 4, 1], [3, 2, 4]]), weight: $0[0]).tanh() },
        Case(name: "gather axis 1 repeated", shapes: [[3, 4]]) {
            $0[0].gather(axis: 1, indices: Tensor(shape: [3, 2], integers: [3, 3, 0, 1, 2, 0])).tanh()
        },
        Case(name: "gather axis 0 of a transposed view", shapes: [[4, 3]]) {
            $0[0].transposed().gather(axis: 0, indices: Tensor(shape: [2, 4], integers: [2, 0, 1, 2, 0, 0, 1, 2])).tanh()
        },
        Case(name: "attention", shapes: [[2, 3, 4], [2, 5, 4], [2, 5, 3]]) { scaledDotProductAttention($0[0], $0[1], $0[2]) },
        Case(name: "attention causal, both block remainders", shapes: [[1, 66, 2], [1, 66, 2], [1, 66, 2]]) {
            scaledDotProductAttention($0[0], $0[1], $0[2], isCausal: true)
        },
        Case(name: "attention one query one key", shapes: [[2, 1, 1, 3], [2, 1, 1, 3], [2, 1, 1, 2]]) {
            scaledDotProductAttention($0[0], $0[1], $0[2])
        },
        Case(name: "attention mask with a fully masked row", shapes: [[2, 4, 3], [2, 5, 3], [2, 5, 2]]) { inputs in
            let mask = Tensor.zeros([4, 5], dtype: .float64)
            mask[1] = Tensor(-Double.infinity, dtype: .float64)
            mask[2, 0] = Tensor(-Double.infinity, dtype: .float64)
            mask[3] = Tensor([0.5, -1, 0, 2, 0.25], dtype: .float64)
            return scaledDotProductAttention(inputs[0], inputs[1], inputs[2], mask: mask, isCausal: true, scale: 0.7)
        },
        Case(name: "attention strided inputs and broadcast mask", shapes: [[3, 2, 4, 2], [2, 3, 5, 2], [2, 3, 5, 3]]) { inputs in
            let mask = Tensor([0, -1, 0.5, 0, -Double.infinity], dtype: .float64).reshaped(1, 1, 1, 5)
            return scaledDotProductAttention(inputs[0].permuted(1, 0, 2, 3), inputs[1], inputs[2], mask: mask)
        },
        Case(name: "attention dropout", shapes: [[2, 6, 3], [2, 7, 3], [2, 7, 3]]) { inputs in
            scaledDotProductAttention(inputs[0], inputs[1], inputs[2], dropout: 0.3, generator: RandomGenerator(seed: 5))
        },
        Case(name: "tril and triu", shapes: [[2, 3, 4]]) { $0[0].tril(diagonal: 1).exp() + $0[0].triu(diagonal: -1) },
        Case(name: "maskedFill", shapes: [[3, 4]]) { $0[0].maskedFill(Tensor([1, 0, 0, 1], dtype: .float64), -2).exp() },
        Case(name: "softmax masking a whole row", shapes: [[3, 4]]) {
            $0[0].softmax(axis: -1, masking: Tensor([[0, 1, 0, 0], [1, 1, 1, 1], [0, 0, 0, 1]], dtype: .float64))
        },
        Case(name: "dropout", shapes: [[4, 5]]) { dropout($0[0], probability: 0.4, generator: RandomGenerator(seed: 3)) },
    ]

    @Test(arguments: cases)
    func analyticGradientMatchesFiniteDifferences(_ testCase: Case) {
        let g = RandomGenerator(seed: UInt64(testCase.name.utf8.reduce(0) { $0 &* 31 &+ Int($1) } & 0xFFFF))
        let inputs = testCase.shapes.map { shape in
            testCase.positive ? Tensor.rand(shape, low: 0.5, high: 2, dtype: .float64, generator: g)
                : Tensor.randn(shape, dtype: .float64, generator: g)
        }
        let result = gradcheck(testCase.function, inputs: inputs)
        #expect(result.passed, "\(testCase.name): \(result)")
    }

    @Test func gradcheckCatchesAWrongPullback() {
        // y = x·x recorded with the pullback of y = x (gradient 1 instead of 2x): gradcheck must fail.
        let wrong: @Sendable ([Tensor]) -> Tensor = { inputs in
            let x = inputs[0]
            return (x * x.detached()).recorded("wrong", [x]) { g in [g] }
        }
        #expect(!gradcheck(wrong, inputs: [Tensor([1.5, -2.0, 3.0], dtype: .float64)]).passed)
    }
}
