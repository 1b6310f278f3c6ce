/// Ends the fit with ``TrainingError/nonFiniteLoss(value:epoch:batch:)`` when a training batch's loss is NaN or
/// infinite, before the backward pass can spread it into the parameters (a ``Checkpointing`` callback's last
/// checkpoint is then the last good state).
public final class NonFiniteLossStop: Callback {
    /// Stops on the first non-finite training loss.
    public init() {}

    public func afterLoss(_ learner: Learner) throws {
        guard learner.isTraining, let loss = learner.loss else { return }
        let value = Double(loss.item())
        if !value.isFinite {
            throw TrainingError.nonFiniteLoss(value: value, epoch: learner.epoch + 1, batch: learner.batchIndex + 1)
        }
    }
}
