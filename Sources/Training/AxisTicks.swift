import Foundation

/// Round tick values for a plot axis, as plotting libraries choose them: steps of 1, 2 or 5 times a power of
/// ten, the axis widened to whole steps (0, 0.2, …, 1 rather than 0.19, 0.38, …).
struct AxisTicks: Equatable {
    /// The first tick, at or below the data's lowest value.
    let low: Double
    /// The last tick, at or above the data's highest value.
    let high: Double
    /// The distance between ticks.
    let step: Double

    /// The round step whose whole-step axis over `low...high` has the number of intervals nearest `count` (the
    /// smaller step on a tie); a flat range is widened by 1 each way.
    init(low: Double, high: Double, count: Int = 4) {
        var (low, high) = (Swift.min(low, high), Swift.max(low, high))
        if high - low < 1e-12 * Swift.max(1, Swift.abs(high)) { (low, high) = (low - 1, high + 1) }
        let power = Foundation.pow(10, log10((high - low) / Double(Swift.max(count, 1))).rounded(.down))
        let candidates = [1.0, 2, 5, 10].map { step -> (step: Double, low: Double, high: Double) in
            let step = step * power
            return (step, (low / step + 1e-9).rounded(.down) * step, (high / step - 1e-9).rounded(.up) * step)
        }
        let best = candidates.min { a, b in
            Swift.abs((a.high - a.low) / a.step - Double(count)) < Swift.abs((b.high - b.low) / b.step - Double(count)) - 1e-9
        }!
        (self.low, self.high, step) = (best.low, best.high, best.step)
    }

    /// The tick values, low to high.
    var values: [Double] {
        let intervals = Int(((high - low) / step).rounded())
        return (0...intervals).map { low + Double($0) * step }
    }

    /// A tick's label with as many decimals as the step needs ("0.25", "0.5", "10").
    func label(_ value: Double) -> String {
        let decimals = (0...6).first { digits in
            let scaled = step * Foundation.pow(10, Double(digits))
            return Swift.abs(scaled - scaled.rounded()) < 1e-6 * Swift.max(1, scaled)
        } ?? 6
        return String(format: "%.\(decimals)f", value == 0 ? 0 : value)
    }
}
