/// Why a ``Learner`` cannot train: reported in one line.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The training or validation data has no examples (or no whole batch, with `dropLast`).
    case noData(String)
    /// A callback swapped layers or parameters: what the model had before and has after.
    case modelChanged(callback: String, event: String, before: [String], after: [String])
    /// A metric that needs class scores and class indices, on a learner whose loss is not a classification loss.
    case metricNeedsClassification(metric: String, loss: String)
    /// The loss stopped being finite (``NonFiniteLossStop``): its value, the epoch and batch (from 1).
    case nonFiniteLoss(value: Double, epoch: Int, batch: Int)

    public var description: String {
        switch self {
        case .noData(let which):
            return "the \(which) data has no examples (or, dropping the last partial batch, no batch)"
        case .modelChanged(let callback, let event, let before, let after):
            return "callback \(callback) changed the model's parameters in \(event) "
                + "(\(before.isEmpty ? "nothing" : before.joined(separator: ", ")) → \(after.isEmpty ? "nothing" : after.joined(separator: ", "))): "
                + "a callback may change parameter values, not layers or shapes"
        case .metricNeedsClassification(let metric, let loss):
            return "metric \(metric) needs a classification loss (class scores against class indices), and this learner's loss is \(loss)"
        case .nonFiniteLoss(let value, let epoch, let batch):
            return "the loss became \(value.isNaN ? "NaN" : "\(value)") at epoch \(epoch), batch \(batch)"
        }
    }
}
