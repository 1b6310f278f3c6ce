/// Batch normalisation, as PyTorch's `F.batch_norm`: each channel (axis 1) normalised by its mean and variance
/// over every other axis, then scaled by `weight` and shifted by `bias`.
///
/// In `training`, the statistics are the batch's (the variance biased, dividing by n), and the running
/// statistics, if given, move towards them in place: running ← (1 − momentum)·running + momentum·batch, with the
/// variance unbiased (n − 1), as PyTorch keeps them. Otherwise the running statistics normalise.
///
/// **Shapes:** input `[N, C]` or `[N, C, H, W]` (any rank from 2); runningMean, runningVariance, weight and
/// bias `[C]` → the input's shape.
public func batchNorm(_ input: Tensor, runningMean: Tensor?, runningVariance: Tensor?, weight: Tensor? = nil,
                      bias: Tensor? = nil, training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5) -> Tensor {
    require(input.rank >= 2, "batchNorm: input must be [N, C, ...], got shape \(Shapes.text(input.shape))")
    let channels = input.shape[1]
    for (name, tensor) in [("runningMean", runningMean), ("runningVariance", runningVariance), ("weight", weight), ("bias", bias)] {
        if let tensor {
            require(tensor.shape == [channels],
                    "batchNorm: \(name) must be [\(channels)] for input \(Shapes.text(input.shape)), got \(Shapes.text(tensor.shape))")
        }
    }
    let perChannel = [1, channels] + Array(repeating: 1, count: input.rank - 2)
    if training { return trainingBatchNorm(input, runningMean, runningVariance, weight, bias, momentum, epsilon) }
    require(runningMean != nil && runningVariance != nil, "batchNorm: evaluation needs runningMean and runningVariance")
    var output = (input - runningMean!.reshaped(to: perChannel)) / (runningVariance!.reshaped(to: perChannel) + epsilon).sqrt()
    if let weight { output = output * weight.reshaped(to: perChannel) }
    if let bias { output = output + bias.reshaped(to: perChannel) }
    return output
}

/// Batch norm in training mode in four passes over the input (statistics, normalisation; two for the gradient),
/// with a pullback of its own: x̂ = (x − mean)·invstd, y = weight·x̂ + bias, and
/// ∂x = weight·invstd·(g − mean(g) − x̂·mean(g·x̂)), ∂weight = Σ g·x̂, ∂bias = Σ g.
private func trainingBatchNorm(_ input: Tensor, _ runningMean: Tensor?, _ runningVariance: Tensor?, _ weight: Tensor?,
                               _ bias: Tensor?, _ momentum: Float, _ epsilon: Float) -> Tensor {
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
    let out = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
    Kernels.active.channelAffine(x.dtype, input: x.rawPointer, shape: shape, scale: scale.rawPointer, shift: shift.rawPointer,
                                 out: out.rawPointer)
    let inputs = [x] + [weight, bias].compactMap { $0 }
    let (hasWeight, hasBias) = (weight != nil, bias != nil)
    return out.recorded("batchNorm", inputs) { g in
        let gradient = g.contiguous()
        let inputGradient = Tensor(uninitializedShape: x.shape, dtype: g.dtype)
        let sumGradient = Tensor(uninitializedShape: [channels], dtype: g.dtype)
        let sumGradientXhat = Tensor(uninitializedShape: [channels], dtype: g.dtype)
        Kernels.active.batchNormBackward(g.dtype, input: x.rawPointer, gradient: gradient.rawPointer, shape: shape,
                                         mean: mean.rawPointer, invstd: invstd.rawPointer, scale: scale.rawPointer,
                                         inputGradient: inputGradient.rawPointer, sumGradient: sumGradient.rawPointer,
                                         sumGradientXhat: sumGradientXhat.rawPointer)
        return [inputGradient] + (hasWeight ? [sumGradientXhat] : []) + (hasBias ? [sumGradient] : [])
    }
}
