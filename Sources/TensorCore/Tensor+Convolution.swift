// 2-d convolution (cross-correlation, as every deep-learning library computes it) as im2col and the GEMM: each
// kernel tap's view of the image is unfolded into a row of a column matrix (padding read as zeros, never
// copied), the weight times the rows is the output, and the gradient of the input folds the columns' gradient
// back (col2im), adding where windows overlap. Float32 runs image by image in the kernels (Kernels/Convolution.swift),
// the unfolding never leaving the cache; float64 (gradient checks) composes `unfolded` and `matmul`, so that
// autograd derives its gradients.

/// Where the windows of a 2-d convolution or pooling over `input` (`[N, C, H, W]`) lie, after checking the sizes
/// against `op` (named in the message).
func windowGeometry(_ input: Tensor, kernel: Size2D, stride: Size2D, dilation: Size2D,
                    padding: (top: Int, bottom: Int, left: Int, right: Int), op: String) -> WindowGeometry {
    let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    require(kernel.height >= 1 && kernel.width >= 1 && stride.height >= 1 && stride.width >= 1
                && dilation.height >= 1 && dilation.width >= 1,
            "\(op): kernel \(kernel), stride \(stride) and dilation \(dilation) must be at least 1")
    let (paddedHeight, paddedWidth) = (h + padding.top + padding.bottom, w + padding.left + padding.right)
    let spanHeight = dilation.height * (kernel.height - 1) + 1, spanWidth = dilation.width * (kernel.width - 1) + 1
    require(spanHeight <= paddedHeight && spanWidth <= paddedWidth,
            "\(op): kernel \(kernel) (dilation \(dilation)) spans \(spanHeight)×\(spanWidth), larger than the padded input's \(paddedHeight)×\(paddedWidth)")
    return WindowGeometry(batch: n, channels: c, height: h, width: w, kernelHeight: kernel.height, kernelWidth: kernel.width,
                          strideHeight: stride.height, strideWidth: stride.width, dilationHeight: dilation.height,
                          dilationWidth: dilation.width, padTop: padding.top, padLeft: padding.left,
                          outHeight: (paddedHeight - spanHeight) / stride.height + 1,
                          outWidth: (paddedWidth - spanWidth) / stride.width + 1)
}

extension Tensor {
    /// im2col by tap: the windows of `geometry` over channels `channels` of this `[N, C, H, W]` tensor, row
    /// (c, ky, kx) of an image holding that tap of every output pixel, zero where it reaches into the padding.
    /// The gradient folds back (col2im).
    ///
    /// **Shapes:** `[N, C, H, W]` → `[N, channels.count·kh·kw, outH·outW]`.
    func unfolded(_ geometry: WindowGeometry, channels: Range<Int>) -> Tensor {
        let source = contiguous()
        let depth = channels.count * geometry.kernelHeight * geometry.kernelWidth
        let out = Tensor(uninitializedShape: [geometry.batch, depth, geometry.outHeight * geometry.outWidth], dtype: dtype)
        Kernels.active.unfold(dtype, input: source.rawPointer, geometry: geometry, channels: channels, columns: out.rawPointer)
        let shape = source.shape
        return out.recorded("unfold", source) { g in
            let gradient = Tensor.zeros(shape, dtype: g.dtype), columns = g.contiguous()
            Kernels.active.fold(g.dtype, columns: columns.rawPointer, geometry: geometry, channels: channels,
                                input: gradient.rawPointer)
            return [gradient]
        }
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
                   padding: Padding2D = 0, dilation: Size2D = 1, groups: Int = 1,
                   activation: Activation = .identity) -> Tensor {
    input.requireArithmetic("conv2d")
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
    let geometry = windowGeometry(input, kernel: Size2D(kh, kw), stride: stride, dilation: dilation, padding: pads, op: "conv2d")
    if input.dtype == .float32 && weight.dtype == .float32 && (bias?.dtype ?? .float32) == .float32 {
        let fused = activation.inEpilogue(recording: recordsGradient(input, weight, bias))
        let output = imageByImageConvolution(input, weight, bias: bias, geometry: geometry, groups: groups,
                                             activation: fused,
                                             bfloat16: Autocast.dtype == .bfloat16 ? Kernels.bfloat16Products : nil)
        return fused == activation ? output : output.activated(activation)
    }
    let (og, depth) = (o / groups, cg * kh * kw)
    // The group's weight [O/groups, C/groups·kh·kw] times each image's windows [C/groups·kh·kw, outH·outW] is that
    // image's output channels [O/groups, outH·outW], in NCHW order.
    let products = (0..<groups).map { g in
        weight[(g * og)..<((g + 1) * og)].reshaped(to: [og, depth]).matmul(input.unfolded(geometry, channels: (g * cg)..<((g + 1) * cg)))
    }
    let joined = groups == 1 ? products[0] : Tensor.concatenated(products, axis: 1)
    let output = joined.reshaped(to: [n, o, geometry.outHeight, geometry.outWidth])
    let biased = bias.map { output + $0.reshaped(to: [1, o, 1, 1]) } ?? output
    return biased.activated(activation)
}

/// Float32 `conv2d` on the kernels' image-by-image path, with its own pullback: the input's gradient is the
/// weight transposed times the output's, folded back onto the image; the weight's, the output's gradient times the
/// windows, summed over images; the bias's, the output's gradient summed over N, H and W. The product applies
/// `activation` as it stores each tile; for ReLU, the output's gradient is masked by its sign first (GELU comes
/// here only with no gradient to record). With `bfloat16` (autocast), every product of the forward and backward
/// passes reads its operands as bfloat16.
private func imageByImageConvolution(_ input: Tensor, _ weight: Tensor, bias: Tensor?, geometry: WindowGeometry,
                                     groups: Int, activation: Activation,
                                     bfloat16: (any BFloat16Products.Type)?) -> Tensor {
    let (x, w, b) = (input.contiguous(), weight.contiguous(), bias?.contiguous())
    let outChannels = w.shape[0]
    let out = Tensor(uninitializedShape: [geometry.batch, outChannels, geometry.outHeight, geometry.outWidth],
                     dtype: .float32)
    let products = { (kind: ProductShape.Kind) in
        ProductShape(kind, geometry: geometry, groups: groups, outChannels: outChannels)
    }
    ProductTimer.time(products(.convolution)) {
        Kernels.active.convolution(input: x.pointer(Float.self), weight: w.pointer(Float.self),
                                   bias: b.map { UnsafePointer($0.pointer(Float.self)) }, activation: activation, geometry: geometry,
                                   groups: groups, outChannels: outChannels, out: out.pointer(Float.self),
                                   bfloat16: bfloat16)
    }
    let (needsInput, needsWeight) = (input.requiresGrad, weight.requiresGrad)
    // An alias without a graph for the ReLU's mask: the recorded output itself would make a cycle through its pullback.
    let activated = out.detached()
    let relu = activation == .relu
    return out.recorded(relu ? "conv2d relu" : "conv2d", [input, weight] + (bias.map { [$0] } ?? [])) { g in
        let gradient = relu ? Tensor.combining(g, activated, .passWherePositive, name: "relu backward") : g.contiguous()
        var gradients: [Tensor?] = [nil, nil]
        if needsInput {
            let inputGradient = Tensor(uninitializedShape: x.shape, dtype: .float32)
            ProductTimer.time(products(.convolutionInputGradient)) {
                Kernels.active.convolutionInputGradient(gradient: gradient.pointer(Float.self), weight: w.pointer(Float.self),
                                                        geometry: geometry, groups: groups, outChannels: outChannels,
                                                        input: inputGradient.pointer(Float.self), bfloat16: bfloat16)
            }
            gradients[0] = inputGradient
        }
        if needsWeight {
            let weightGradient = Tensor(uninitializedShape: w.shape, dtype: .float32)
            ProductTimer.time(products(.convolutionWeightGradient)) {
                Kernels.active.convolutionWeightGradient(input: x.pointer(Float.self), gradient: gradient.pointer(Float.self),
                                                         geometry: geometry, groups: groups, outChannels: outChannels,
                                                         weight: weightGradient.pointer(Float.self), bfloat16: bfloat16)
            }
            gradients[1] = weightGradient
        }
        if b != nil { gradients.append(gradient.sum(axes: [0, 2, 3])) }
        return gradients
    }
}
