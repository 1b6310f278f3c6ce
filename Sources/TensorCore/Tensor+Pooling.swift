// 2-d pooling over the same strided windows as the convolution: the gradient of each reaches the input through
// the windows' scatter-add, so overlapping windows add up.

/// The largest element of each `kernel` window, as PyTorch's `F.max_pool2d`: padding counts as −∞, `stride`
/// defaults to `kernel`, and the gradient goes to the first largest element of each window in row-major order
/// (the position PyTorch picks; a NaN counts as the largest).
///
/// **Shapes:** `[N, C, H, W]` → `[N, C, outH, outW]`, outH = (H + 2·padding − kernel) / stride + 1 (rounded
/// down), likewise outW.
public func maxPool2d(_ input: Tensor, kernel: Size2D, stride: Size2D? = nil, padding: Size2D = 0) -> Tensor {
    let windows = poolingWindows(input, kernel: kernel, stride: stride, padding: padding, padValue: -.infinity,
                                 op: "maxPool2d")
    let flat = windows.view.reshaped(to: Array(windows.view.shape.prefix(4)) + [kernel.height * kernel.width])
    let picked = withoutGradient {
        Tensor.oneHot(flat.argmax(axis: -1).flattened(), classes: kernel.height * kernel.width, dtype: input.dtype)
            .reshaped(to: flat.shape)
    }
    return which(picked, flat, Tensor(scalar: 0, dtype: input.dtype)).sum(axis: -1)
}

/// The mean of each `kernel` window, as PyTorch's `F.avg_pool2d` with its defaults: zero padding counted in
/// the mean (`count_include_pad`), `stride` defaulting to `kernel`.
///
/// **Shapes:** as ``maxPool2d(_:kernel:stride:padding:)``.
public func avgPool2d(_ input: Tensor, kernel: Size2D, stride: Size2D? = nil, padding: Size2D = 0) -> Tensor {
    let windows = poolingWindows(input, kernel: kernel, stride: stride, padding: padding, padValue: 0, op: "avgPool2d")
    return windows.view.mean(axes: [4, 5])
}

/// The mean over `outputSize` regions that tile each channel, as PyTorch's `F.adaptive_avg_pool2d`: region
/// (i, j) spans rows ⌊i·H/outH⌋ ..< ⌈(i+1)·H/outH⌉ and likewise columns. `1` is global average pooling.
///
/// **Shapes:** `[N, C, H, W]` → `[N, C, outputSize.height, outputSize.width]`.
public func adaptiveAvgPool2d(_ input: Tensor, outputSize: Size2D = 1) -> Tensor {
    require(input.rank == 4, "adaptiveAvgPool2d: input must be [N, C, H, W], got shape \(Shapes.text(input.shape))")
    require(outputSize.height >= 1 && outputSize.width >= 1,
            "adaptiveAvgPool2d: output size \(outputSize) must be at least 1")
    if outputSize == 1 { return input.mean(axes: [2, 3], keepDims: true) }
    let (h, w) = (input.shape[2], input.shape[3])
    func region(_ i: Int, _ out: Int, _ size: Int) -> Range<Int> { (i * size / out)..<(((i + 1) * size + out - 1) / out) }
    let rows = (0..<outputSize.height).map { i in
        Tensor.concatenated((0..<outputSize.width).map { j in
            input[.all, .all, region(i, outputSize.height, h), region(j, outputSize.width, w)].mean(axes: [2, 3], keepDims: true)
        }, axis: 3)
    }
    return Tensor.concatenated(rows, axis: 2)
}

/// The padded input's windows for a pooling op, after checking its arguments as PyTorch does (padding at most
/// half the kernel).
private func poolingWindows(_ input: Tensor, kernel: Size2D, stride: Size2D?, padding: Size2D, padValue: Float,
                            op: String) -> Windows2D {
    require(input.rank == 4, "\(op): input must be [N, C, H, W], got shape \(Shapes.text(input.shape))")
    require(padding.height >= 0 && padding.width >= 0 && 2 * padding.height <= kernel.height && 2 * padding.width <= kernel.width,
            "\(op): padding \(padding) must be between 0 and half the kernel \(kernel)")
    let padded = input.padded([(0, 0), (0, 0), (padding.height, padding.height), (padding.width, padding.width)],
                              value: padValue)
    return Windows2D(padded, kernel: kernel, stride: stride ?? kernel, dilation: 1, op: op)
}
