// 2-d convolution (cross-correlation, as every deep-learning library computes it) as im2col and the GEMM: each
// output pixel's receptive field is a row of a column matrix, read through a strided view of the padded input,
// so the gradient of the input is that view's scatter-add (col2im) and the weight's is a product.

/// The windows of a padded `[N, C, H, W]` input that a 2-d convolution or pooling reads: their output size, and
/// the strided view `[N, C, outH, outW, kh, kw]` over `padded`'s elements (positions shared between windows
/// when the kernel is larger than the stride).
struct Windows2D {
    let outHeight: Int, outWidth: Int
    let view: Tensor

    /// Checks the sizes against `op` (naming it in the message) and builds the view of the padded input.
    init(_ padded: Tensor, kernel: Size2D, stride: Size2D, dilation: Size2D, op: String) {
        let (n, c, h, w) = (padded.shape[0], padded.shape[1], padded.shape[2], padded.shape[3])
        require(kernel.height >= 1 && kernel.width >= 1 && stride.height >= 1 && stride.width >= 1
                    && dilation.height >= 1 && dilation.width >= 1,
                "\(op): kernel \(kernel), stride \(stride) and dilation \(dilation) must be at least 1")
        let spanHeight = dilation.height * (kernel.height - 1) + 1, spanWidth = dilation.width * (kernel.width - 1) + 1
        require(spanHeight <= h && spanWidth <= w,
                "\(op): kernel \(kernel) (dilation \(dilation)) spans \(spanHeight)×\(spanWidth), larger than the padded input's \(h)×\(w)")
        outHeight = (h - spanHeight) / stride.height + 1
        outWidth = (w - spanWidth) / stride.width + 1
        view = padded.asStrided(
            shape: [n, c, outHeight, outWidth, kernel.height, kernel.width],
            strides: [c * h * w, h * w, stride.height * w, stride.width, dilation.height * w, dilation.width])
    }
}

/// The 2-d convolution of `input` with `weight`, plus `bias`, as PyTorch's `F.conv2d`: zero padding,
/// `stride`, `dilation` and `groups` (input and output channels split into `groups` independent convolutions;
/// `groups` = channels is a depthwise convolution).
///
/// ```swift
/// let y = conv2d(x, w, bias: b, padding: 1)        // x [8, 3, 28, 28], w [16, 3, 3, 3] → y [8, 16, 28, 28]
/// ```
///
/// **Shapes:** input `[N, C, H, W]`, weight `[O, C/groups, kh, kw]`, bias `[O]` → `[N, O, outH, outW]` with
/// outH = (H + padding top + bottom − dilation·(kh − 1) − 1) / stride + 1 (rounded down), likewise outW.
public func conv2d(_ input: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: Size2D = 1,
                   padding: Padding2D = 0, dilation: Size2D = 1, groups: Int = 1) -> Tensor {
    require(input.rank == 4, "conv2d: input must be [N, C, H, W], got shape \(Shapes.text(input.shape))")
    require(weight.rank == 4, "conv2d: weight must be [out, in/groups, kh, kw], got shape \(Shapes.text(weight.shape))")
    let (n, c) = (input.shape[0], input.shape[1])
    let (o, cg, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
    require(groups >= 1 && c % groups == 0 && o % groups == 0,
            "conv2d: groups \(groups) must divide the input's \(c) and the weight's \(o) channels")
    require(cg * groups == c,
            "conv2d: input \(Shapes.text(input.shape)) has \(c) channels but weight \(Shapes.text(weight.shape)) with groups \(groups) takes \(cg * groups)")
    if let bias { require(bias.shape == [o], "conv2d: bias must be [\(o)], got shape \(Shapes.text(bias.shape))") }
    let pads: (top: Int, bottom: Int, left: Int, right: Int)
    switch padding {
    case .explicit(let size):
        require(size.height >= 0 && size.width >= 0, "conv2d: padding \(size) must not be negative")
        pads = (size.height, size.height, size.width, size.width)
    case .same:
        require(stride == 1, "conv2d: padding .same needs stride 1, got stride \(stride)")
        let (height, width) = (dilation.height * (kh - 1), dilation.width * (kw - 1))
        pads = (height / 2, height - height / 2, width / 2, width - width / 2)
    }
    let padded = input.padded([(0, 0), (0, 0), (pads.top, pads.bottom), (pads.left, pads.right)])
    let windows = Windows2D(padded, kernel: Size2D(kh, kw), stride: stride, dilation: dilation, op: "conv2d")
    let (og, depth) = (o / groups, cg * kh * kw)
    // Each output pixel's receptive field as a row: [N·outH·outW, C/groups·kh·kw] per group, times the
    // group's weight as [O/groups, C/groups·kh·kw]ᵀ (the x · Wᵀ product of a linear layer).
    let rows = windows.view.permuted(0, 2, 3, 1, 4, 5)
    let products = (0..<groups).map { g in
        let columns = rows[.all, .all, .all, (g * cg)..<((g + 1) * cg)].reshaped(to: [-1, depth])
        return columns.matmul(weight[(g * og)..<((g + 1) * og)].reshaped(to: [og, depth]).transposed())
    }
    let joined = groups == 1 ? products[0] : Tensor.concatenated(products, axis: 1)
    let output = joined.reshaped(to: [n, windows.outHeight, windows.outWidth, o]).permuted(0, 3, 1, 2)
    return (bias.map { output + $0.reshaped(to: [1, o, 1, 1]) } ?? output).contiguous()
}
