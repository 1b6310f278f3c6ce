import NN
import TensorCore

/// What a ``Learner`` minimises: the function of the model's predictions and the batch's targets, its name for
/// reports, and whether its targets are class indices (so that classification metrics such as
/// ``Metric/accuracy`` apply).
public struct Loss {
    /// The name reports use: "cross-entropy", "mse".
    public let name: String
    /// Whether the targets are class indices and the predictions one score per class.
    public let isClassification: Bool
    private let compute: (Tensor, Tensor) -> Tensor

    /// A loss named `name`; `compute(predictions, targets)` returns a one-element tensor, the batch's mean.
    public init(_ name: String, classification: Bool = false,
                _ compute: @escaping (_ predictions: Tensor, _ targets: Tensor) -> Tensor) {
        self.name = name
        self.isClassification = classification
        self.compute = compute
    }

    /// The loss of `predictions` against `targets`.
    ///
    /// **Shapes:** as the function takes them → `[]`.
    public func callAsFunction(_ predictions: Tensor, _ targets: Tensor) -> Tensor { compute(predictions, targets) }

    /// `crossEntropy(logits:targets:reduction:classAxis:ignoreIndex:)`: logits `[n, classes]`, targets `[n]` class indices.
    public static var crossEntropy: Loss {
        Loss("cross-entropy", classification: true) { NN.crossEntropy(logits: $0, targets: $1) }
    }

    /// `mseLoss(_:_:reduction:)`: predictions and targets of one shape (or broadcasting together).
    public static var meanSquaredError: Loss { Loss("mse") { mseLoss($0, $1) } }
}

/// A figure computed on each validation batch and averaged over the examples (each batch weighted by its size):
/// accuracy, or any closure of the predictions and the targets.
public struct Metric {
    /// The name in reports and in ``EpochRecord/metrics``.
    public let name: String
    /// Whether it needs a classification loss's predictions and targets (scores per class, class indices).
    public let needsClassification: Bool
    private let batchValue: (Tensor, Tensor) -> Double

    /// A metric named `name`; `value(predictions, targets)` is the batch's mean.
    public init(_ name: String, classification: Bool = false,
                _ value: @escaping (_ predictions: Tensor, _ targets: Tensor) -> Double) {
        self.name = name
        self.needsClassification = classification
        self.batchValue = value
    }

    /// The metric of one batch.
    public func callAsFunction(_ predictions: Tensor, _ targets: Tensor) -> Double { batchValue(predictions, targets) }

    /// The share of examples whose highest score is at their class: predictions `[n, classes]`, targets `[n]`.
    public static var accuracy: Metric {
        Metric("accuracy", classification: true) { predictions, targets in
            let predicted = predictions.argmax(axis: 1).scalars
            let correct = zip(predicted, targets.scalars).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
            return Double(correct) / Double(Swift.max(targets.shape[0], 1))
        }
    }
}
