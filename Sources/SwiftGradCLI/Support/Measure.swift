import Foundation

/// Wall-clock timing for the benchmarks: medians of repeated runs after warm-up.
enum Measure {
    /// Seconds since an arbitrary start, monotonic.
    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

    /// The median time of one call of `body`, after `warmup` calls, over at least `minRuns` runs and about
    /// `budget` seconds (whichever is more, capped at `maxRuns`).
    static func median(
        warmup: Int = 3, minRuns: Int = 5, maxRuns: Int = 10_000, budget: Double = 0.5, _ body: () -> Void
    ) -> Double {
        for _ in 0..<warmup { body() }
        var times: [Double] = []
        let start = now()
        while times.count < maxRuns && (times.count < minRuns || now() - start < budget) {
            let t0 = now()
            body()
            times.append(now() - t0)
        }
        times.sort()
        return times[times.count / 2]
    }
}

/// `12.3 µs`, `4.56 ms`, `1.23 s`.
func formatSeconds(_ seconds: Double) -> String {
    if seconds < 1e-6 { return String(format: "%.0f ns", seconds * 1e9) }
    if seconds < 1e-3 { return String(format: "%.2f µs", seconds * 1e6) }
    if seconds < 1 { return String(format: "%.2f ms", seconds * 1e3) }
    return String(format: "%.2f s", seconds)
}
