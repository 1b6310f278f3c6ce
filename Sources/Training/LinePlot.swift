import Foundation

/// One panel of an SVG line chart: a framed plot area with round ticks on both axes (the x axis linear, or
/// logarithmic with a tick at each power of ten), a title, an axis label and a legend. The pictures the Training
/// module writes (training curves, the learning-rate finder) are built from it.
struct LinePlot {
    /// A line: its legend, colour and points (non-finite values are left out).
    struct Series {
        let name: String
        let color: String
        let x: [Double]
        let y: [Double]
    }

    /// The panel's left edge in the picture.
    var left: Double
    var title: String
    var xLabel: String
    var series: [Series]
    /// The y range to show (widened to round ticks).
    var low: Double, high: Double
    /// Whether x is drawn on a log scale (x must then be positive).
    var logX = false
    /// Whether only whole x values get ticks (epochs).
    var wholeXTicks = false
    /// Whether each point gets a dot.
    var dots = true

    static let (width, height, top) = (280.0, 220.0, 40.0)

    /// The panel as SVG elements.
    var svg: String {
        let (width, height, top) = (Self.width, Self.height, Self.top)
        let xs = series.flatMap(\.x).filter { $0.isFinite && (!logX || $0 > 0) }.map { logX ? log10($0) : $0 }
        let first = xs.min() ?? 0, last = Swift.max(xs.max() ?? 1, first + (wholeXTicks ? 1 : 1e-9))
        let ticks = AxisTicks(low: low, high: high)
        func px(_ v: Double) -> Double { left + ((logX ? log10(v) : v) - first) / (last - first) * width }
        func py(_ v: Double) -> Double { top + height - (v - ticks.low) / (ticks.high - ticks.low) * height }
        var parts = [
            "<text x=\"\(left + width / 2)\" y=\"24\" text-anchor=\"middle\" font-size=\"14\">\(title)</text>",
            "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(width)\" height=\"\(height)\" fill=\"none\" stroke=\"#444\"/>",
            "<text x=\"\(left + width / 2)\" y=\"\(top + height + 36)\" text-anchor=\"middle\">\(xLabel)</text>",
        ]
        for value in ticks.values {
            parts.append("<text x=\"\(left - 6)\" y=\"\(py(value) + 4)\" text-anchor=\"end\">\(ticks.label(value))</text>")
        }
        if logX {
            for power in Int(first.rounded(.up))...Swift.max(Int(first.rounded(.up)), Int(last.rounded(.down))) {
                let x = left + (Double(power) - first) / (last - first) * width
                parts.append("<text x=\"\(x)\" y=\"\(top + height + 16)\" text-anchor=\"middle\">1e\(power)</text>")
            }
        } else {
            let xTicks = AxisTicks(low: first, high: last, count: 8)
            // Whole values only where asked (epochs), at most about eight of them however long the run.
            for value in xTicks.values where value >= first && value <= last && (!wholeXTicks || value == value.rounded()) {
                let text = wholeXTicks ? String(Int(value)) : xTicks.label(value)
                parts.append("<text x=\"\(px(value))\" y=\"\(top + height + 16)\" text-anchor=\"middle\">\(text)</text>")
            }
        }
        for (index, line) in series.enumerated() {
            let points = zip(line.x, line.y).filter { $0.0.isFinite && $0.1.isFinite && (!logX || $0.0 > 0) }
            let path = points.map { String(format: "%.1f,%.1f", px($0), py($1)) }.joined(separator: " ")
            parts.append("<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\"/>")
            if dots {
                for (x, y) in points {
                    parts.append(String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%@\"/>", px(x), py(y), line.color))
                }
            }
            // The legend: a swatch of the line's colour before its name, so the lines can be told apart.
            let legendY = top + 18 + 16 * Double(index)
            parts.append("<line x1=\"\(left + 10)\" y1=\"\(legendY - 4)\" x2=\"\(left + 28)\" y2=\"\(legendY - 4)\" stroke=\"\(line.color)\" stroke-width=\"3\"/>")
            parts.append("<text x=\"\(left + 34)\" y=\"\(legendY)\" fill=\"#222\">\(line.name)</text>")
        }
        return parts.joined(separator: "\n")
    }

    /// A picture of `width` by 320 holding `panels`.
    static func picture(width: Int, _ panels: [String]) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="320" viewBox="0 0 \(width) 320" \
        font-family="sans-serif" font-size="12">
        <rect width="\(width)" height="320" fill="white"/>
        \(panels.joined(separator: "\n"))
        </svg>

        """
    }
}
