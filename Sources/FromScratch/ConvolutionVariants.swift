import TensorCore

// The lesson's next chapter: a 2-d convolution (stride 1, zero padding) four ways, each giving the values of the
// one before, each faster: plain loops, one tensor op per output pixel, im2col and one matrix product, and the
// library's `conv2d`. Then its backward pass by hand. All take input [N, C, H, W] and weight [O, C, kh, kw] and
// return [N, O, H + 2·padding − kh + 1, W + 2·padding − kw + 1]; `swiftgrad lesson` times them.

/// Seven nested loops over image, output channel, output row and column, input channel and kernel row and
/// column, one multiply-add of tensor elements per innermost step, as the lesson's first matmul.
///
/// What it teaches: the definition, `out[n, o, y, x] = Σ_c Σ_i Σ_j in[n, c, y + i, x + j] · w[o, c, i, j]`: that
/// it is N·O·outH·outW·C·kh·kw multiply-adds, reading each input pixel kh·kw times, and that dispatching each as
/// tensor ops costs microseconds apiece.
///
/// **Shapes:** `[N, C, H, W]`, `[O, C, kh, kw]` → `[N, O, outH, outW]`.
public func conv2dNaive(_ input: Tensor, _ weight: Tensor, padding: Int = 0) -> Tensor {
    let (x, (n, c, h, w), (o, kh, kw)) = checkedConvolution(input, weight, padding: padding, op: "conv2dNaive")
    let out = Tensor.zeros([n, o, h - kh + 1, w - kw + 1])
    for image in 0..<n {
        for channel in 0..<o {
            for y in 0..<(h - kh + 1) {
                for column in 0..<(w - kw + 1) {
                    for inChannel in 0..<c {
                        for i in 0..<kh {
                            for j in 0..<kw {
                                out[image, channel, y, column] += x[image, inChannel, y + i, column + j] * weight[channel, inChannel, i, j]
                            }
                        }
                    }
                }
            }
        }
    }
    return out
}

/// The three innermost loops as one elementwise product and a sum: each output pixel of every output channel at
/// once is `(window · weight).sum(over C, kh, kw)`, where `window` is the input's `[C, kh, kw]` view at (y, x).
///
/// What it teaches: a window is a view (strides, no copy) and broadcasting it against `[O, C, kh, kw]` gives
/// all output channels in one op; N·outH·outW ops remain.
///
/// **Shapes:** as ``conv2dNaive(_:_:padding:)``.
public func conv2dWindows(_ input: Tensor, _ weight: Tensor, padding: Int = 0) -> Tensor {
    let (x, (n, _, h, w), (o, kh, kw)) = checkedConvolution(input, weight, padding: padding, op: "conv2dWindows")
    let (oh, ow) = (h - kh + 1, w - kw + 1)
    let out = Tensor.zeros([n, o, oh, ow])
    for image in 0..<n {
        for y in 0..<oh {
            for column in 0..<ow {
                let window = x[image, .all, y..<(y + kh), column..<(column + kw)]
                out[image, .all, y, column] = (window.unsqueezed(axis: 0) * weight).sum(axes: [1, 2, 3])
            }
        }
    }
    return out
}

/// im2col: every window copied into a row of a matrix `[N·outH·outW, C·kh·kw]`, then one matrix product with
/// the weight as `[O, C·kh·kw]`ᵀ, and the result's axes put back in NCHW order.
///
/// What it teaches: a convolution is a matrix product in disguise, so it can run on the fast GEMM kernel;
/// the price is copying each pixel kh·kw times. (The library's `conv2d` does this with a compiled loop that
/// reads the padding as zeros, and multiplies image by image in NCHW order.)
///
/// **Shapes:** as ``conv2dNaive(_:_:padding:)``.
public func conv2dIm2col(_ input: Tensor, _ weight: Tensor, padding: Int = 0) -> Tensor {
    let (x, (n, c, h, w), (o, kh, kw)) = checkedConvolution(input, weight, padding: padding, op: "conv2dIm2col")
    let (oh, ow) = (h - kh + 1, w - kw + 1)
    let columns = im2col(x, kernelHeight: kh, kernelWidth: kw)
    let product = columns.matmul(weight.reshaped(to: [o, c * kh * kw]).transposed())
    return product.reshaped(to: [n, oh, ow, o]).permuted(0, 3, 1, 2).contiguous()
}

/// The windows of `input` (stride 1, no padding) as the rows of a matrix, written out with loops.
///
/// **Shapes:** `[N, C, H, W]` → `[N·outH·outW, C·kh·kw]`.
func im2col(_ input: Tensor, kernelHeight kh: Int, kernelWidth kw: Int) -> Tensor {
    let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let (oh, ow) = (h - kh + 1, w - kw + 1)
    let pixels = input.scalars
    var rows: [Float] = []
    rows.reserveCapacity(n * oh * ow * c * kh * kw)
    for image in 0..<n {
        for y in 0..<oh {
            for column in 0..<ow {
                for channel in 0..<c {
                    for i in 0..<kh {
                        for j in 0..<kw { rows.append(pixels[((image * c + channel) * h + y + i) * w + column + j]) }
                    }
                }
            }
        }
    }
    return Tensor(shape: [n * oh * ow, c * kh * kw], scalars: rows)
}

/// The input padded with zeros, and the sizes of a convolution, stopping with a message that names both shapes
/// when they do not fit.
private func checkedConvolution(_ input: Tensor, _ weight: Tensor, padding: Int, op: String)
    -> (padded: Tensor, input: (n: Int, c: Int, h: Int, w: Int), weight: (o: Int, kh: Int, kw: Int)) {
    require(input.rank == 4 && weight.rank == 4 && input.shape[1] == weight.shape[1] && padding >= 0,
            "\(op): input \(input.shape) and weight \(weight.shape) must be [N, C, H, W] and [O, C, kh, kw] (padding \(padding))")
    let padded = input.padded([(0, 0), (0, 0), (padding, padding), (padding, padding)]).contiguous()
    let (n, c, h, w) = (padded.shape[0], padded.shape[1], padded.shape[2], padded.shape[3])
    let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
    require(kh <= h && kw <= w, "\(op): kernel \(kh)×\(kw) is larger than the padded input's \(h)×\(w)")
    return (padded, (n, c, h, w), (o, kh, kw))
}
