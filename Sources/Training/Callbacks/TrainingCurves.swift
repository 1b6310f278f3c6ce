import Checkpoints
import Foundation

/// Writes an SVG of the training and validation loss (left) and the first validation metric (right) per epoch,
/// axes labelled, after every epoch (atomically: a viewer never sees half a picture).
public final class TrainingCurves: Callback {
    /// The file written.
    public let url: URL
    /// What the validation data is called in the legend: "test" gives "test loss".
    public let validationName: String

    /// Curves drawn to `url`.
    public init(url: URL, validationName: String = "validation") {
        self.url = url
        self.validationName = validationName
    }

    public var order: Int { 110 }

    public func afterEpoch(_ learner: Learner) throws {
        try AtomicFile.write(Data(Self.svg(learner.history, validationName: validationName).utf8), to: url)
    }

    /// The picture of `history`.
    public static func svg(_ history: [EpochRecord], validationName: String = "validation") -> String {
        let epochs = history.map { Double($0.epoch) }
        let validationLosses = history.compactMap(\.validationLoss)
        let losses = history.map(\.trainLoss) + validationLosses
        var lossSeries = [("train loss", "#1f77b4", history.map(\.trainLoss))]
        if validationLosses.count == history.count {
            lossSeries.append(("\(validationName) loss", "#ff7f0e", validationLosses))
        }
        var panels = [panel(x: 60, title: "loss", series: lossSeries, epochs: epochs, low: 0,
                            high: (losses.filter(\.isFinite).max() ?? 1) * 1.1)]
        let metricNames = Set(history.flatMap(\.metrics.keys))
        if let metric = metricNames.contains("accuracy") ? "accuracy" : metricNames.sorted().first {
            let values = history.map { $0.metrics[metric] ?? .nan }
            let finite = values.filter(\.isFinite)
            let (low, high) = metric == "accuracy" ? (Swift.max(0, (finite.min() ?? 0) - 0.05), 1.0)
                : ((finite.min() ?? 0), (finite.max() ?? 1))
            panels.append(panel(x: 420, title: "\(validationName) \(metric)",
                                series: [("\(validationName) \(metric)", "#2ca02c", values)], epochs: epochs, low: low,
                                high: high))
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="760" height="320" viewBox="0 0 760 320" \
            font-family="sans-serif" font-size="12">
            <rect width="760" height="320" fill="white"/>
            \(panels.joined(separator: "\n"))
            </svg>

            """
    }

    private static func panel(x: Double, title: String, series: [(String, String, [Double])], epochs: [Double],
                              low: Double, high: Double) -> String {
        let (width, height, top) = (280.0, 220.0, 40.0)
        let first = epochs.first ?? 1, last = Swift.max(epochs.last ?? 1, first + 1)
        let ticks = AxisTicks(low: low, high: high)
        let epochTicks = AxisTicks(low: first, high: last, count: 8)
        func px(_ e: Double) -> Double { x + (e - first) / (last - first) * width }
        func py(_ v: Double) -> Double { top + height - (v - ticks.low) / (ticks.high - ticks.low) * height }
        var parts = [
            "<text x=\"\(x + width / 2)\" y=\"24\" text-anchor=\"middle\" font-size=\"14\">\(title)</text>",
            "<rect x=\"\(x)\" y=\"\(top)\" width=\"\(width)\" height=\"\(height)\" fill=\"none\" stroke=\"#444\"/>",
            "<text x=\"\(x + width / 2)\" y=\"\(top + height + 36)\" text-anchor=\"middle\">epoch</text>",
        ]
        for value in ticks.values {
            parts.append("<text x=\"\(x - 6)\" y=\"\(py(value) + 4)\" text-anchor=\"end\">\(ticks.label(value))</text>")
        }
        // Whole epochs only, at most about eight of them however long the run.
        for epoch in epochTicks.values where epoch >= first && epoch <= last && epoch == epoch.rounded() {
            parts.append("<text x=\"\(px(epoch))\" y=\"\(top + height + 16)\" text-anchor=\"middle\">\(Int(epoch))</text>")
        }
        for (index, (name, color, values)) in series.enumerated() {
            let points = zip(epochs, values).filter { $0.1.isFinite }
            let line = points.map { String(format: "%.1f,%.1f", px($0), py($1)) }.joined(separator: " ")
            parts.append("<polyline points=\"\(line)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>")
            for (e, v) in points {
                parts.append(String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%@\"/>", px(e), py(v), color))
            }
            parts.append("<text x=\"\(x + 10)\" y=\"\(top + 18 + 16 * Double(index))\" fill=\"\(color)\">\(name)</text>")
        }
        return parts.joined(separator: "\n")
    }
}
