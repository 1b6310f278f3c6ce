// 2-d pooling over the same windows as the convolution: max pooling in one pass that also records the position
// it picked, average pooling as the mean of the unfolded windows; overlapping windows' gradients add up.

/// The largest element of each `kernel` window, as PyTorch's `F.max_pool2d`: padding counts as −∞, `stride`
/// defaults to `kernel`, and the gradient goes to the first largest element of each window in row-major order
/// (the position PyTorch picks; a NaN counts as the largest, the last one if there are several).
///
/// **Shapes:** `[N, C, H, W]` → `[N, C, outH, outW]`, outH = (H + 2·padding − kernel) / stride + 1 (rounded
/// down), likewise outW.
public func maxPool2d(_ input: Tensor, kernel: Size2D, stride: Size2D? = nil, padding: Size2D = 0) -> Tensor {
    input.requireArithmetic("maxPool2d")
    let geometry = poolingGeometry(input, kernel: kernel, stride: stride, padding: padding, op: "maxPool2d")
    let source = input.contiguous()
    let out = Tensor(uninitializedShape: [geometry.batch, geometry.channels, geometry.outHeight, geometry.outWidth],
                     dtype: input.dtype)
    let indices = IndexBuffer(count: out.count)
    Kernels.active.maxPool(input.dtype, input: source.rawPointer, geometry: geometry, out: out.rawPointer,
                           indices: indices.pointer)
    let shape = source.shape
    return out.recorded("maxPool2d", source) { g in
        let gradient = Tensor.zeros(shape, dtype: g.dtype), incoming = g.contiguous()
        Kernels.active.maxPoolBackward(g.dtype, gradient: incoming.rawPointer, indices: indices.pointer,
                                       geometry: geometry, input: gradient.rawPointer)
        return [gradient]
    }
}

/// The mean of each `kernel` window, as PyTorch's `F.avg_pool2d` with its defaults: zero padding counted in
/// the mean (`count_include_pad`), `stride` defaulting to `kernel`.
///
/// **Shapes:** as ``maxPool2d(_:kernel:stride:padding:)``.
public func avgPool2d(_ input: Tensor, kernel: Size2D, stride: Size2D? = nil, padding: Size2D = 0) -> Tensor {
    let geometry = poolingGeometry(input, kernel: kernel, stride: stride, padding: padding, op: "avgPool2d")
    let (n, c) = (geometry.batch, geometry.channels)
    return input.unfolded(geometry, channels: 0..<c)
        .reshaped(to: [n, c, kernel.height * kernel.width, geometry.outHeight, geometry.outWidth]).mean(axis: 2)
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

/// The windows of a pooling op, after checking its arguments as PyTorch does (padding at most half the kernel).
func poolingGeometry(_ input: Tensor, kernel: Size2D, stride: Size2D?, padding: Size2D, op: String) -> WindowGeometry {
    require(input.rank == 4, "\(op): input must be [N, C, H, W], got shape \(Shapes.text(input.shape))")
    require(padding.height >= 0 && padding.width >= 0 && 2 * padding.height <= kernel.height && 2 * padding.width <= kernel.width,
            "\(op): padding \(padding) must be between 0 and half the kernel \(kernel)")
    return windowGeometry(input, kernel: kernel, stride: stride ?? kernel, dilation: 1,
                          padding: (padding.height, padding.height, padding.width, padding.width), op: op)
}

/// The positions a max pool picked, kept for its backward pass.
final class IndexBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int32>

    init(count: Int) { pointer = .allocate(capacity: Swift.max(count, 1)) }
    deinit { pointer.deallocate() }
}
