/// Code that runs at the events of ``Learner/fit(epochs:)`` and ``Learner/validate()``, reading and changing the
/// learner's state: the batch (``Learner/inputs``, ``Learner/targets``), the predictions, the loss, the learning
/// rate. Every event has an empty default, so a callback implements only the ones it needs.
///
/// The events, in order:
///
///     check                                   (every callback, before anything runs or is written)
///     beforeFit
///       beforeEpoch                           (each epoch)
///         beforeBatch                         (each training batch; the rate is already the schedule's)
///           afterForward  afterLoss  afterBackward  afterStep
///         afterBatch
///         beforeValidate                      (when the learner has validation data)
///           beforeBatch  afterForward  afterLoss  afterBatch   (each validation batch, isTraining false)
///         afterValidate
///       afterEpoch
///     afterFit                                (always, also after an error: see ``Learner/failure``)
///
/// Callbacks run in ascending ``order`` (ties in the order the learner was given them), the same order at every
/// event. To cancel, throw a ``Cancellation``: `.batch` skips the rest of the batch (no step if thrown before it,
/// and no `afterBatch`), `.epoch` skips the epoch's remaining training batches (validation and `afterEpoch` still
/// run), `.fit` ends the fit after the current event (`afterFit` still runs; `fit` returns normally). Any other
/// error ends the fit with that error, after `afterFit`.
public protocol Callback: AnyObject {
    /// The name used in error messages; the type's name by default.
    var name: String { get }
    /// Where the callback runs among the others: lower first (default 0).
    var order: Int { get }
    /// Refuses a learner the callback cannot work with (a metric that needs a classification loss, say) before
    /// any event runs, so that nothing is written half-way.
    func check(_ learner: Learner) throws
    /// Before the first epoch (also when resuming).
    func beforeFit(_ learner: Learner) throws
    /// Before each epoch's training batches.
    func beforeEpoch(_ learner: Learner) throws
    /// Before a batch's forward pass: ``Learner/inputs`` and ``Learner/targets`` are set and may be replaced.
    func beforeBatch(_ learner: Learner) throws
    /// After the forward pass: ``Learner/predictions`` is set.
    func afterForward(_ learner: Learner) throws
    /// After the loss: ``Learner/loss`` is set (replace it to change what is differentiated).
    func afterLoss(_ learner: Learner) throws
    /// After the backward pass, before the optimizer step: the gradients are in the parameters.
    func afterBackward(_ learner: Learner) throws
    /// After the optimizer step.
    func afterStep(_ learner: Learner) throws
    /// After a batch that was not cancelled.
    func afterBatch(_ learner: Learner) throws
    /// Before the validation batches.
    func beforeValidate(_ learner: Learner) throws
    /// After the validation batches: ``Learner/validation`` holds the loss and the metrics.
    func afterValidate(_ learner: Learner) throws
    /// After each epoch: its record is the last of ``Learner/history``.
    func afterEpoch(_ learner: Learner) throws
    /// After the fit, however it ended.
    func afterFit(_ learner: Learner) throws
}

extension Callback {
    public var name: String { String(describing: type(of: self)) }
    public var order: Int { 0 }
    public func check(_ learner: Learner) throws {}
    public func beforeFit(_ learner: Learner) throws {}
    public func beforeEpoch(_ learner: Learner) throws {}
    public func beforeBatch(_ learner: Learner) throws {}
    public func afterForward(_ learner: Learner) throws {}
    public func afterLoss(_ learner: Learner) throws {}
    public func afterBackward(_ learner: Learner) throws {}
    public func afterStep(_ learner: Learner) throws {}
    public func afterBatch(_ learner: Learner) throws {}
    public func beforeValidate(_ learner: Learner) throws {}
    public func afterValidate(_ learner: Learner) throws {}
    public func afterEpoch(_ learner: Learner) throws {}
    public func afterFit(_ learner: Learner) throws {}
}

/// Thrown by a callback to cancel part of a fit (see ``Callback``).
public enum Cancellation: Error, Sendable {
    /// The rest of the current batch.
    case batch
    /// The rest of the current epoch's training batches.
    case epoch
    /// The rest of the fit.
    case fit
}
