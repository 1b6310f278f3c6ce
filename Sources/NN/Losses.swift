import TensorCore

/// How a loss combines its per-element values.
public enum Reduction: Sendable {
    /// The mean over elements (over the batch for classification losses).
    case mean
    /// The sum.
    case sum
    /// One value per element (per sample for classification losses).
    case none
}

private func reduce(_ losses: Tensor, _ reduction: Reduction) -> Tensor {
    switch reduction {
    case .mean: return losses.mean()
    case .sum: return losses.sum()
    case .none: return losses
    }
}

/// Mean squared error (x − y)², as `F.mse_loss`.
///
/// **Shapes:** `input` and `target` broadcast together; `[]` unless `reduction` is `.none`.
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    reduce((input - target).pow(2), reduction)
}

/// Cross-entropy of raw scores against class indices, as `F.cross_entropy`: −log softmax(logits)[target].
///
/// Computed as log-softmax (x − max − log Σ e^(x − max)) followed by the negative log-likelihood, so logits of
/// magnitude 1000 and beyond give finite losses and gradients; the gradient with respect to the logits is
/// softmax − one-hot, divided by the number of targets counted for `.mean`.
///
/// A language model's logits `[B, T, V]` take `classAxis: -1`. Targets equal to `ignoreIndex` (padding, say) add
/// nothing to the loss or the gradient, and `.mean` divides by the targets that count, as PyTorch's
/// `ignore_index` (a batch with none left gives NaN, as PyTorch's does).
///
/// **Shapes:** logits `[n, classes]` (or the classes along `classAxis` of any rank), targets the logits' shape
/// without that axis (whole numbers in `0..<classes`) → `[]`, or the targets' shape for `.none`.
public func crossEntropy(logits: Tensor, targets: Tensor, reduction: Reduction = .mean, classAxis: Int = 1,
                         ignoreIndex: Int? = nil) -> Tensor {
    require(logits.rank >= 2, "crossEntropy: logits must have a batch axis and a class axis, got \(logits.shape)")
    let axis = classAxis < 0 ? classAxis + logits.rank : classAxis
    require(axis >= 1 && axis < logits.rank, "crossEntropy: classAxis \(classAxis) is not an axis after the first of logits \(logits.shape)")
    let classes = logits.shape[axis]
    var order = Array(0..<logits.rank)
    order.remove(at: axis)
    require(targets.shape == order.map { logits.shape[$0] },
            "crossEntropy: targets \(targets.shape) must be the logits' shape \(logits.shape) without the class axis \(classAxis)")
    let rows = axis == logits.rank - 1 ? logits : logits.permuted(order + [axis])
    let losses = nllLoss(logProbabilities: rows.reshaped(to: [-1, classes]).logSoftmax(axis: 1),
                         targets: targets.reshaped(to: [-1]), reduction: reduction, ignoreIndex: ignoreIndex)
    return reduction == .none ? losses.reshaped(to: targets.shape) : losses
}

/// Negative log-likelihood of log-probabilities against class indices, as `F.nll_loss`; targets equal to
/// `ignoreIndex` count for nothing (see ``crossEntropy(logits:targets:reduction:classAxis:ignoreIndex:)``).
///
/// **Shapes:** logProbabilities `[n, classes]`, targets `[n]` → `[]`, or `[n]` for `.none`.
public func nllLoss(logProbabilities: Tensor, targets: Tensor, reduction: Reduction = .mean,
                    ignoreIndex: Int? = nil) -> Tensor {
    require(logProbabilities.rank == 2 && targets.rank == 1 && targets.shape[0] == logProbabilities.shape[0],
            "nllLoss: expected [n, classes] and [n], got \(logProbabilities.shape) and \(targets.shape)")
    func picked(_ targets: Tensor) -> Tensor {
        logProbabilities.gather(axis: 1, indices: targets.unsqueezed(axis: 1), op: "nllLoss", kind: "a class").squeezed(axis: 1)
    }
    guard let ignoreIndex else { return reduce(-picked(targets), reduction) }
    let counted = targets .!= Float(ignoreIndex)
    let losses = -picked(which(counted, targets, Tensor(scalar: 0, dtype: targets.dtype))) * counted
    return reduction == .mean ? losses.sum() / counted.sum() : reduce(losses, reduction)
}

/// Binary cross-entropy of raw scores against targets in [0, 1], as `F.binary_cross_entropy_with_logits`:
/// max(x, 0) − x·t + log(1 + e^−|x|), which is finite for any x.
///
/// **Shapes:** `logits` and `targets` broadcast together.
public func binaryCrossEntropy(withLogits logits: Tensor, targets: Tensor, reduction: Reduction = .mean) -> Tensor {
    let losses = logits.relu() - logits * targets + ((-logits.abs()).exp() + 1).log()
    return reduce(losses, reduction)
}

/// Binary cross-entropy of probabilities against targets, as `F.binary_cross_entropy`; each log is clamped at
/// −100 as PyTorch does, so probabilities of exactly 0 or 1 give finite losses.
///
/// **Shapes:** `probabilities` and `targets` broadcast together.
public func binaryCrossEntropy(_ probabilities: Tensor, targets: Tensor, reduction: Reduction = .mean) -> Tensor {
    let logP = probabilities.log().clamped(min: -100)
    let logNotP = (1 - probabilities).log().clamped(min: -100)
    return reduce(-(targets * logP + (1 - targets) * logNotP), reduction)
}
