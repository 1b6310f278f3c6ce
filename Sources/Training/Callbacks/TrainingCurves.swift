import Checkpoints
import Foundation

/// Writes an SVG of the training and validation loss (left) and the first validation metric (right) per epoch,
/// axes labelled, after every epoch (atomically: a viewer never sees half a picture).
public final class TrainingCurves: Callback {
    /// The file written.
    public let url: URL
    /// What the validation data is called in the legend: "test" gives "test loss".
    public let validationName: String
    /// Optimizer steps per epoch to draw the x axis in steps (a language model's "epoch" is an interval between
    /// validations), or nil to draw it in epochs.
    public let stepsPerEpoch: Int?

    /// Curves drawn to `url`.
    public init(url: URL, validationName: String = "validation", stepsPerEpoch: Int? = nil) {
        self.url = url
        self.validationName = validationName
        self.stepsPerEpoch = stepsPerEpoch
    }

    public var order: Int { 110 }

    public func afterEpoch(_ learner: Learner) throws {
        try AtomicFile.write(Data(Self.svg(learner.history, validationName: validationName, stepsPerEpoch: stepsPerEpoch).utf8),
                             to: url)
    }

    /// The picture of `history`, against epochs or, given `stepsPerEpoch`, steps.
    public static func svg(_ history: [EpochRecord], validationName: String = "validation", stepsPerEpoch: Int? = nil) -> String {
        let epochs = history.map { Double($0.epoch * (stepsPerEpoch ?? 1)) }
        let xLabel = stepsPerEpoch == nil ? "epoch" : "step"
        let validationLosses = history.compactMap(\.validationLoss)
        let losses = history.map(\.trainLoss) + validationLosses
        var lossSeries = [LinePlot.Series(name: "train loss", color: "#1f77b4", x: epochs, y: history.map(\.trainLoss))]
        if validationLosses.count == history.count {
            lossSeries.append(LinePlot.Series(name: "\(validationName) loss", color: "#ff7f0e", x: epochs, y: validationLosses))
        }
        var panels = [LinePlot(left: 60, title: "loss", xLabel: xLabel, series: lossSeries, low: 0,
                               high: (losses.filter(\.isFinite).max() ?? 1) * 1.1, wholeXTicks: true).svg]
        let metricNames = Set(history.flatMap(\.metrics.keys))
        if let metric = metricNames.contains("accuracy") ? "accuracy" : metricNames.sorted().first {
            let values = history.map { $0.metrics[metric] ?? .nan }
            let finite = values.filter(\.isFinite)
            let (low, high) = metric == "accuracy" ? (Swift.max(0, (finite.min() ?? 0) - 0.05), 1.0)
                : ((finite.min() ?? 0), (finite.max() ?? 1))
            let name = "\(validationName) \(metric)"
            panels.append(LinePlot(left: 420, title: name, xLabel: xLabel,
                                   series: [LinePlot.Series(name: name, color: "#2ca02c", x: epochs, y: values)],
                                   low: low, high: high, wholeXTicks: true).svg)
        }
        return LinePlot.picture(width: 760, panels)
    }
}
