import Checkpoints
import Foundation
import NN
import TensorCore

/// Statistics of chosen layers' outputs on every training batch, as fastai's `ActivationStats`: the mean, the
/// standard deviation, the share of activations near zero, and a histogram, per layer and per batch. Its picture
/// (``svg(title:)``, the course's "colorful dimension" plot) shows each layer's histogram over time: a healthy
/// network spreads its activations over the bins, a badly initialised one piles them at zero or blows them up.
///
/// As a ``Callback`` it watches while a ``Learner`` trains (validation batches are not recorded); on its own,
/// ``attach()`` and ``detach()`` bracket any code that calls the model. It watches through forward hooks, so a
/// watched layer runs unfused in a `Sequential`.
public final class ActivationStats: Callback {
    /// One watched layer's figures, one entry per recorded batch.
    public struct Layer: Sendable {
        /// The layer's name in the model (`"1"`, `"layers.3"`).
        public let name: String
        /// The mean of its outputs.
        public internal(set) var means: [Double] = []
        /// Their standard deviation.
        public internal(set) var standardDeviations: [Double] = []
        /// The share of outputs whose magnitude is below ``ActivationStats/nearZero``.
        public internal(set) var nearZeroShares: [Double] = []
        /// Counts of outputs in each of ``ActivationStats/bins`` equal bins over ``ActivationStats/range`` (values
        /// outside are not counted, as `torch.histc`).
        public internal(set) var histograms: [[Int]] = []
    }

    /// The watched layers' figures, in model order.
    public private(set) var layers: [Layer]
    /// The number of histogram bins.
    public let bins: Int
    /// The range the histogram covers.
    public let range: ClosedRange<Double>
    /// The magnitude under which an activation counts as near zero.
    public let nearZero: Double
    private let modules: [Module]
    private var handles: [HookHandle] = []
    private weak var learner: Learner?

    /// Watches the sub-modules of `model` (at any depth) for which `include` is true, by default every `ReLU`
    /// (the activations fastai's plot shows), with `bins` bins over `range` and outputs below `nearZero` in
    /// magnitude counted as near zero (by default the width of one bin).
    public init(model: Module, bins: Int = 40, range: ClosedRange<Double> = 0...10, nearZero: Double? = nil,
                where include: (Module) -> Bool = { $0 is ReLU }) {
        require(bins >= 1 && range.upperBound > range.lowerBound,
                "ActivationStats: needs at least one bin over a non-empty range, got \(bins) bins over \(range)")
        var watched: [(String, Module)] = []
        func visit(_ module: Module, _ name: String) {
            if include(module) { watched.append((name, module)) }
            for (child, sub) in module.namedChildren() { visit(sub, name.isEmpty ? child : name + "." + child) }
        }
        visit(model, "")
        self.modules = watched.map(\.1)
        self.layers = watched.map { Layer(name: $0.0.isEmpty ? "model" : $0.0) }
        self.bins = bins
        self.range = range
        self.nearZero = nearZero ?? (range.upperBound - range.lowerBound) / Double(bins)
    }

    /// Starts recording every forward pass of the watched layers.
    public func attach() {
        guard handles.isEmpty else { return }
        handles = modules.enumerated().map { index, module in
            module.registerForwardHook { [unowned self] _, _, output in self.record(output, layer: index) }
        }
    }

    /// Stops recording and removes the hooks.
    public func detach() {
        handles.forEach { $0.remove() }
        handles = []
    }

    public func beforeFit(_ learner: Learner) throws {
        self.learner = learner
        attach()
    }

    public func afterFit(_ learner: Learner) throws {
        detach()
        self.learner = nil
    }

    private func record(_ output: Tensor, layer: Int) {
        if let learner, !learner.isTraining { return }
        // The activations as they are (float32, half the bytes of a float64 copy), summed in double precision.
        let values = output.scalars
        let count = Double(Swift.max(values.count, 1))
        let mean = values.reduce(0) { $0 + Double($1) } / count
        let variance = values.reduce(0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / count
        var histogram = [Int](repeating: 0, count: bins)
        let scale = Double(bins) / (range.upperBound - range.lowerBound)
        var small = 0
        for element in values {
            let value = Double(element)
            if Swift.abs(value) < nearZero { small += 1 }
            guard value >= range.lowerBound && value <= range.upperBound else { continue }
            histogram[Swift.min(bins - 1, Int((value - range.lowerBound) * scale))] += 1
        }
        layers[layer].means.append(mean)
        layers[layer].standardDeviations.append(variance.squareRoot())
        layers[layer].nearZeroShares.append(Double(small) / count)
        layers[layer].histograms.append(histogram)
    }

    /// The picture: one panel per layer, batches left to right, histogram bins bottom to top, each cell's colour
    /// the log of its count (dark: none, yellow: the most); under each panel the layer's mean, standard deviation
    /// and near-zero share over the last tenth of the batches.
    public func svg(title: String = "activations") -> String {
        Self.svg(rows: [(title, self)])
    }

    /// Several recordings stacked, one row each (to compare two initialisations, say).
    public static func svg(rows: [(title: String, stats: ActivationStats)]) -> String {
        let (panelWidth, panelHeight, gap, rowHeight) = (220.0, 160.0, 50.0, 250.0)
        let columns = rows.map(\.stats.layers.count).max() ?? 1
        let width = 40 + Double(columns) * (panelWidth + gap), height = 20 + Double(rows.count) * rowHeight
        var parts = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
                     + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">",
                     "<rect width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"white\"/>"]
        for (row, (title, stats)) in rows.enumerated() {
            let top = 20 + Double(row) * rowHeight
            parts.append("<text x=\"20\" y=\"\(top + 4)\" font-size=\"14\">\(title)</text>")
            for (index, layer) in stats.layers.enumerated() {
                let left = 40 + Double(index) * (panelWidth + gap)
                parts.append(stats.heatmap(layer, left: left, top: top + 30, width: panelWidth, height: panelHeight))
            }
        }
        parts.append("</svg>\n")
        return parts.joined(separator: "\n")
    }

    /// One layer's histograms over time as a grid of cells, at most 100 columns (batches averaged together).
    private func heatmap(_ layer: Layer, left: Double, top: Double, width: Double, height: Double) -> String {
        let batches = layer.histograms.count
        let columns = Swift.min(batches, 100)
        var parts = ["<text x=\"\(left)\" y=\"\(top - 6)\">layer \(layer.name)</text>",
                     "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(width)\" height=\"\(height)\" fill=\"#440154\"/>"]
        if columns > 0 {
            let grid = (0..<columns).map { column -> [Double] in
                let slice = (column * batches / columns)..<Swift.max((column + 1) * batches / columns, column * batches / columns + 1)
                return (0..<bins).map { bin in log1p(Double(slice.reduce(0) { $0 + layer.histograms[$1][bin] }) / Double(slice.count)) }
            }
            let most = Swift.max(grid.joined().max() ?? 1, 1e-9)
            let (cellWidth, cellHeight) = (width / Double(columns), height / Double(bins))
            for (column, counts) in grid.enumerated() {
                for (bin, value) in counts.enumerated() where value > 0 {
                    parts.append(String(format: "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%@\"/>",
                                        left + Double(column) * cellWidth, top + height - Double(bin + 1) * cellHeight,
                                        cellWidth + 0.05, cellHeight + 0.05, Self.color(value / most)))
                }
            }
        }
        let recent = Swift.max(1, batches / 10)
        func tail(_ values: [Double]) -> Double { values.suffix(recent).reduce(0, +) / Double(Swift.max(Swift.min(recent, values.count), 1)) }
        func figure(_ value: Double) -> String { value.isNaN ? "NaN" : String(format: "%.3g", value) }
        parts.append("<text x=\"\(left)\" y=\"\(top + height + 16)\">mean \(figure(tail(layer.means)))  std "
                     + "\(figure(tail(layer.standardDeviations)))</text>")
        parts.append("<text x=\"\(left)\" y=\"\(top + height + 32)\" fill=\"#666\">near 0: \(figure(100 * tail(layer.nearZeroShares)))%, "
                     + "\(batches) batches →, \(figure(range.lowerBound))…\(figure(range.upperBound)) ↑</text>")
        return parts.joined(separator: "\n")
    }

    /// A viridis-like colour for `t` in 0...1: dark purple through blue and green to yellow.
    private static func color(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
        let position = Swift.min(Swift.max(t, 0), 1) * Double(stops.count - 1)
        let (index, fraction) = (Swift.min(Int(position), stops.count - 2), position - Double(Swift.min(Int(position), stops.count - 2)))
        let (a, b) = (stops[index], stops[index + 1])
        return String(format: "#%02x%02x%02x", Int(a.0 + (b.0 - a.0) * fraction), Int(a.1 + (b.1 - a.1) * fraction),
                      Int(a.2 + (b.2 - a.2) * fraction))
    }

    /// Writes ``svg(title:)`` to `url`, atomically.
    public func write(to url: URL, title: String = "activations") throws {
        try AtomicFile.write(Data(svg(title: title).utf8), to: url)
    }
}
