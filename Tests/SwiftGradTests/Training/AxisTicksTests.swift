import Testing
@testable import Training

/// Plot axes tick at round values, as plotting libraries do.
@Suite struct AxisTicksTests {
    @Test(arguments: [
        (0.0, 0.97, [0, 0.2, 0.4, 0.6, 0.8, 1.0], ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
        (0.0, 0.77, [0, 0.2, 0.4, 0.6, 0.8], ["0.0", "0.2", "0.4", "0.6", "0.8"]),
        (0.83, 1.0, [0.80, 0.85, 0.90, 0.95, 1.0], ["0.80", "0.85", "0.90", "0.95", "1.00"]),
        (0.0, 2.31, [0, 0.5, 1, 1.5, 2, 2.5], ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5"]),
        (0.0, 9.0, [0, 2, 4, 6, 8, 10], ["0", "2", "4", "6", "8", "10"]),
        (3.0, 3.0, [2, 2.5, 3, 3.5, 4], ["2.0", "2.5", "3.0", "3.5", "4.0"]),
        (1.0, 15.0, [0, 5, 10, 15], ["0", "5", "10", "15"]),
        (-0.3, 0.1, [-0.3, -0.2, -0.1, 0, 0.1], ["-0.3", "-0.2", "-0.1", "0.0", "0.1"]),
    ])
    func ticksAreRoundAndCoverTheData(_ row: (Double, Double, [Double], [String])) {
        let (low, high, values, labels) = row
        let ticks = AxisTicks(low: low, high: high)
        #expect(ticks.values.count == values.count)
        for (tick, value) in zip(ticks.values, values) { #expect(Swift.abs(tick - value) < 1e-9, "\(ticks)") }
        #expect(ticks.values.map(ticks.label) == labels)
        #expect(ticks.low <= low && ticks.high >= high)
    }
}
