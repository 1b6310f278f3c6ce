import TensorCore

// The backward pass of a convolution by hand, through im2col: with columns X = im2col(input) and W the weight
// as a matrix, the output is X · Wᵀ, so the chain rule gives the same two products as a linear layer, and the
// input's gradient is the columns' gradient folded back onto the pixels it was copied from (col2im), adding
// where windows overlap.

/// The gradients of a convolution (stride 1, no padding) given the gradient `outputGrad` of its output.
///
/// - Returns: `input`'s gradient (col2im of outputGrad · W), `weight`'s (outputGradᵀ · X) and the bias's
///   (outputGrad summed over all but the channel axis).
///
/// **Shapes:** input `[N, C, H, W]`, weight `[O, C, kh, kw]`, outputGrad `[N, O, outH, outW]`.
public func conv2dBackward(_ input: Tensor, _ weight: Tensor, outputGrad: Tensor)
    -> (input: Tensor, weight: Tensor, bias: Tensor) {
    let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
    let (oh, ow) = (h - kh + 1, w - kw + 1)
    require(outputGrad.shape == [n, o, oh, ow],
            "conv2dBackward: outputGrad must be \([n, o, oh, ow]) for input \(input.shape) and weight \(weight.shape), got \(outputGrad.shape)")
    // The output's gradient as the matrix the product made: [N·outH·outW, O].
    let g = outputGrad.permuted(0, 2, 3, 1).reshaped(to: [n * oh * ow, o])
    let columns = im2col(input, kernelHeight: kh, kernelWidth: kw)
    let weightGrad = g.transposed().matmul(columns).reshaped(to: weight.shape)
    let columnsGrad = g.matmul(weight.reshaped(to: [o, c * kh * kw])).scalars
    var inputGrad = [Float](repeating: 0, count: n * c * h * w)
    var row = 0
    for image in 0..<n {
        for y in 0..<oh {
            for column in 0..<ow {
                var k = row * c * kh * kw
                for channel in 0..<c {
                    for i in 0..<kh {
                        for j in 0..<kw {
                            inputGrad[((image * c + channel) * h + y + i) * w + column + j] += columnsGrad[k]
                            k += 1
                        }
                    }
                }
                row += 1
            }
        }
    }
    return (Tensor(shape: input.shape, scalars: inputGrad), weightGrad, outputGrad.sum(axes: [0, 2, 3]))
}
