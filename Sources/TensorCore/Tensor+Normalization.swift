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
    let axes = [0] + Array(2..<input.rank)
    let perChannel = [1, channels] + Array(repeating: 1, count: input.rank - 2)
    let mean: Tensor, variance: Tensor
    if training {
        let n = axes.reduce(1) { $0 * input.shape[$1] }
        require(n > 1, "batchNorm: training needs more than one value per channel, got input \(Shapes.text(input.shape))")
        mean = input.mean(axes: axes, keepDims: true)
        variance = input.variance(axes: axes, keepDims: true)
        withoutGradient {
            if let runningMean { runningMean.replaceValues(with: runningMean * (1 - momentum) + mean.reshaped(to: [channels]) * momentum) }
            if let runningVariance {
                let unbiased = variance.reshaped(to: [channels]) * (Float(n) / Float(n - 1))
                runningVariance.replaceValues(with: runningVariance * (1 - momentum) + unbiased * momentum)
            }
        }
    } else {
        require(runningMean != nil && runningVariance != nil, "batchNorm: evaluation needs runningMean and runningVariance")
        mean = runningMean!.reshaped(to: perChannel)
        variance = runningVariance!.reshaped(to: perChannel)
    }
    var output = (input - mean) / (variance + epsilon).sqrt()
    if let weight { output = output * weight.reshaped(to: perChannel) }
    if let bias { output = output + bias.reshaped(to: perChannel) }
    return output
}
