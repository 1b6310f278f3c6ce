import TensorCore

/// Computes ``Metric``s on every validation batch and puts their means (each batch weighted by its size) into
/// ``Learner/validation`` and so into each epoch's ``EpochRecord/metrics``. Runs before other callbacks (order
/// −20), so that theirs `afterValidate` sees the figures.
public final class Metrics: Callback {
    /// The metrics, in report order.
    public let metrics: [Metric]
    private var sums: [Double] = []
    private var examples = 0

    /// Validation metrics, e.g. `Metrics([.accuracy])`.
    public init(_ metrics: [Metric]) {
        self.metrics = metrics
    }

    public var order: Int { -20 }

    /// Refuses a classification metric on a learner whose loss is not a classification loss.
    public func check(_ learner: Learner) throws {
        if let metric = metrics.first(where: { $0.needsClassification && !learner.lossFunction.isClassification }) {
            throw TrainingError.metricNeedsClassification(metric: metric.name, loss: learner.lossFunction.name)
        }
    }

    public func beforeValidate(_ learner: Learner) throws {
        sums = Array(repeating: 0, count: metrics.count)
        examples = 0
    }

    public func afterLoss(_ learner: Learner) throws {
        guard !learner.isTraining, let predictions = learner.predictions else { return }
        let count = learner.batchSize
        for (index, metric) in metrics.enumerated() {
            sums[index] += metric(predictions, learner.targets) * Double(count)
        }
        examples += count
    }

    public func afterValidate(_ learner: Learner) throws {
        for (metric, sum) in zip(metrics, sums) { learner.validation[metric.name] = sum / Double(Swift.max(examples, 1)) }
    }
}
