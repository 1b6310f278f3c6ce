/// Batch normalisation, as PyTorch's `F.batch_norm`: each channel (axis 1) normalised by its mean and variance
/// over every other axis, then scaled by `weight` and shifted by `bias`.
///
/// In `training`, the statistics are the batch's (the variance biased, dividing by n), and the running
/// statistics, if given, move towards them in place: running ← (1 − momentum)·running + momentum·batch, with the
/// variance unbiased (n − 1), as PyTorch keeps them. Otherwise the running statistics normalise: with no
/// gradient to record (inside ``withoutGradient(_:)``), in one pass with them folded into a scale and a shift
/// first (equal to the formula to float rounding).
///
/// **Shapes:** input `[N, C]` or `[N, C, H, W]` (any rank from 2); runningMean, runningVariance, weight and
/// bias `[C]` → the input's shape.
public func batchNorm(_ input: Tensor, runningMean: Tensor?, runningVariance: Tensor?, weight: Tensor? = nil,
                      bias: Tensor? = nil, training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5) -> Tensor {
    input.requireArithmetic("batchNorm")
    checkBatchNormArguments(input, runningMean, runningVariance, weight, bias, op: "batchNorm")
    if training { return trainingBatchNorm(input, runningMean, runningVariance, weight, bias, momentum, epsilon, .none) }
    require(runningMean != nil && runningVariance != nil, "batchNorm: evaluation needs runningMean and runningVariance")
    if !recordsGradient(input, weight, bias) {
        return evaluationBatchNorm(input, runningMean!, runningVariance!, weight, bias, epsilon, .none)
    }
    let perChannel = [1, input.shape[1]] + Array(repeating: 1, count: input.rank - 2)
    var output = (input - runningMean!.reshaped(to: perChannel)) / (runningVariance!.reshaped(to: perChannel) + epsilon).sqrt()
    if let weight { output = output * weight.reshaped(to: perChannel) }
    if let bias { output = output + bias.reshaped(to: perChannel) }
    return output
}

/// The windows of a max pool, as ``maxPool2d(_:kernel:stride:padding:)`` takes them.
public struct MaxPoolWindow: Equatable, Sendable {
    /// The window, the step between windows, and the padding (counted as −∞).
    public var kernel: Size2D, stride: Size2D, padding: Size2D

    /// A window of `kernel`, moving by `stride` (the kernel by default).
    public init(kernel: Size2D, stride: Size2D? = nil, padding: Size2D = 0) {
        (self.kernel, self.stride, self.padding) = (kernel, stride ?? kernel, padding)
    }
}

/// `batchNorm(input, …).relu()`, then max pooled over `maxPool`'s windows if given: the values and gradients of
/// those ops one after the other (and the same running statistics), as one op. In training mode it makes two
/// passes over the input and two for the gradient, and keeps neither the normalised nor the activated tensor;
/// `Sequential` runs `BatchNorm2d → ReLU → MaxPool2d` (or `BatchNorm → ReLU`) this way. In evaluation mode,
/// with no gradient to record (inside ``withoutGradient(_:)``, as `eval` and `predict` run), it is one pass over the
/// input with the running statistics (equal to the ops in turn to float rounding: the scale and shift are folded
/// first); with a gradient to record, it is those ops.
///
/// **Shapes:** as ``batchNorm(_:runningMean:runningVariance:weight:bias:training:momentum:epsilon:)``, then as
/// ``maxPool2d(_:kernel:stride:padding:)`` (input `[N, C, H, W]`) with `maxPool`.
public func batchNormReLU(_ input: Tensor, runningMean: Tensor?, runningVariance: Tensor?, weight: Tensor? = nil,
                          bias: Tensor? = nil, training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5,
                          maxPool: MaxPoolWindow? = nil) -> Tensor {
    if !training && (recordsGradient(input, weight, bias) || runningMean == nil || runningVariance == nil) {
        let activated = batchNorm(input, runningMean: runningMean, runningVariance: runningVariance, weight: weight,
                                  bias: bias, training: training, momentum: momentum, epsilon: epsilon).relu()
        return maxPool.map { maxPool2d(activated, kernel: $0.kernel, stride: $0.stride, padding: $0.padding) } ?? activated
    }
    checkBatchNormArguments(input, runningMean, runningVariance, weight, bias, op: "batchNormReLU")
    let epilogue = maxPool.map {
        ChannelEpilogue.reluMaxPool(poolingGeometry(input, kernel: $0.kernel, stride: $0.stride, padding: $0.padding,
                                                    op: "batchNormReLU"))
    } ?? .relu
    if training { return trainingBatchNorm(input, runningMean, runningVariance, weight, bias, momentum, epsilon, epilogue) }
    return evaluationBatchNorm(input, runningMean!, runningVariance!, weight, bias, epsilon, epilogue)
}

/// Batch norm with the running statistics and nothing recorded: scale = weight / √(variance + epsilon) and
/// shift = bias − mean·scale per channel, then one pass with `epilogue`.
private func evaluationBatchNorm(_ input: Tensor, _ runningMean: Tensor, _ runningVariance: Tensor, _ weight: Tensor?,
                                 _ bias: Tensor?, _ epsilon: Float, _ epilogue: ChannelEpilogue) -> Tensor {
    let x = input.contiguous()
    let (scale, shift) = withoutGradient { () -> (Tensor, Tensor) in
        let (mean, variance) = (runningMean.to(x.dtype), runningVariance.to(x.dtype))
        let scale = (weight.map { $0.to(x.dtype) } ?? Tensor.ones([x.shape[1]], dtype: x.dtype)) / (variance + epsilon).sqrt()
        let shift = (bias.map { $0.to(x.dtype) } ?? Tensor.zeros([x.shape[1]], dtype: x.dtype)) - mean * scale
        return (scale.contiguous(), shift.contiguous())
    }
    return channelAffine(x, scale: scale, shift: shift, epilogue: epilogue).out
}

/// Stops unless `input` is `[N, C, ...]` and each per-channel tensor given is `[C]`.
private func checkBatchNormArguments(_ input: Tensor, _ runningMean: Tensor?, _ runningVariance: Tensor?,
                                     _ weight: Tensor?, _ bias: Tensor?, op: String) {
    require(input.rank >= 2, "\(op): input must be [N, C, ...], got shape \(Shapes.text(input.shape))")
    let channels = input.shape[1]
    for (name, tensor) in [("runningMean", runningMean), ("runningVariance", runningVariance), ("weight", weight), ("bias", bias)] {
        if let tensor {
            require(tensor.shape == [channels],
                    "\(op): \(name) must be [\(channels)] for input \(Shapes.text(input.shape)), got \(Shapes.text(tensor.shape))")
        }
    }
}

/// Batch norm in training mode in four passes over the input (statistics, normalisation; two for the gradient),
/// with a pullback of its own: x̂ = (x − mean)·invstd, y = weight·x̂ + bias, and
/// ∂x = weight·invstd·(g − mean(g) − x̂·mean(g·x̂)), ∂weight = Σ g·x̂, ∂bias = Σ g; `epilogue` joins the
/// normalising pass, and g, the gradient at y, is worked out from the epilogue's output gradient as it is read.
private func trainingBatchNorm(_ input: Tensor, _ runningMean: Tensor?, _ runningVariance: Tensor?, _ weight: Tensor?,
                               _ bias: Tensor?, _ momentum: Float, _ epsilon: Float, _ epilogue: ChannelEpilogue) -> Tensor {
    let x = input.contiguous()
    let (n, channels) = (x.shape[0], x.shape[1])
    let shape = (n: n, c: channels, m: x.count / Swift.max(n * channels, 1))
    require(shape.n * shape.m > 1, "batchNorm: training needs more than one value per channel, got input \(Shapes.text(input.shape))")
    let mean = Tensor(uninitializedShape: [channels], dtype: x.dtype), variance = Tensor(uninitializedShape: [channels], dtype: x.dtype)
    Kernels.active.channelStatistics(x.dtype, input: x.rawPointer, shape: shape, mean: mean.rawPointer, variance: variance.rawPointer)
    let (scale, shift, invstd) = withoutGradient { () -> (Tensor, Tensor, Tensor) in
        if let runningMean { runningMean.replaceValues(with: runningMean * (1 - momentum) + mean * momentum) }
        if let runningVariance {
            let unbiased = variance * (Float(shape.n * shape.m) / Float(shape.n * shape.m - 1))
            runningVariance.replaceValues(with: runningVariance * (1 - momentum) + unbiased * momentum)
        }
        let invstd = 1 / (variance + epsilon).sqrt()
        let scale = weight.map { $0.detached().to(x.dtype) * invstd } ?? invstd
        let shift = (bias.map { $0.detached().to(x.dtype) } ?? Tensor.zeros([channels], dtype: x.dtype)) - mean * scale
        return (scale.contiguous(), shift.contiguous(), invstd.contiguous())
    }
    let (out, indices) = channelAffine(x, scale: scale, shift: shift, epilogue: epilogue)
    let name = switch epilogue {
    case .none: "batchNorm"
    case .relu: "batchNormReLU"
    case .reluMaxPool: "batchNormReLUMaxPool"
    }
    let inputs = [x] + [weight, bias].compactMap { $0 }
    let (hasWeight, hasBias) = (weight != nil, bias != nil)
    // The output for ReLU's mask, through an alias without a graph (the recorded tensor itself would make a cycle).
    let output = out.detached()
    return out.recorded(name, inputs) { g in
        let gradient = g.contiguous()
        let inputGradient = Tensor(uninitializedShape: x.shape, dtype: g.dtype)
        let sumGradient = Tensor(uninitializedShape: [channels], dtype: g.dtype)
        let sumGradientXhat = Tensor(uninitializedShape: [channels], dtype: g.dtype)
        Kernels.active.batchNormBackward(g.dtype, input: x.rawPointer, gradient: gradient.rawPointer, shape: shape,
                                         mean: mean.rawPointer, invstd: invstd.rawPointer, scale: scale.rawPointer,
                                         shift: shift.rawPointer, epilogue: epilogue, output: output.rawPointer,
                                         indices: indices.map { UnsafePointer($0.pointer) },
                                         inputGradient: inputGradient.rawPointer, sumGradient: sumGradient.rawPointer,
                                         sumGradientXhat: sumGradientXhat.rawPointer)
        return [inputGradient] + (hasWeight ? [sumGradientXhat] : []) + (hasBias ? [sumGradient] : [])
    }
}

/// `x · scale[c] + shift[c]` over the channels of a contiguous `x`, then `epilogue`, in one pass: the output, and the
/// positions a max pool picked (nil without one).
private func channelAffine(_ x: Tensor, scale: Tensor, shift: Tensor, epilogue: ChannelEpilogue) -> (out: Tensor, indices: IndexBuffer?) {
    let (n, channels) = (x.shape[0], x.shape[1])
    let shape = (n: n, c: channels, m: x.count / Swift.max(n * channels, 1))
    var (outShape, indices) = (x.shape, IndexBuffer?.none)
    if case .reluMaxPool(let g) = epilogue {
        outShape = [g.batch, g.channels, g.outHeight, g.outWidth]
        indices = IndexBuffer(count: outShape.reduce(1, *))
    }
    let out = Tensor(uninitializedShape: outShape, dtype: x.dtype)
    Kernels.active.channelAffine(x.dtype, input: x.rawPointer, shape: shape, scale: scale.rawPointer, shift: shift.rawPointer,
                                 epilogue: epilogue, out: out.rawPointer, indices: indices?.pointer)
    return (out, indices)
}
