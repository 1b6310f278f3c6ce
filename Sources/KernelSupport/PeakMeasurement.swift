/// The timing of a peak probe: `run(steps, seed)` (which returns a value that must be finite) on up to `threads`
/// cores at once, five times; the best rate in GFLOPS, counting `flopsPerStep` per step and core. While another
/// thread's product holds the pool, it measures one core.
package func bestProbeGFLOPS(threads: Int, steps: Int, flopsPerStep: Int, _ run: @escaping (Int, Float) -> Float) -> Double {
    var best = 0.0
    for _ in 0..<5 {
        var parts = Swift.max(1, Swift.min(threads, Parallelism.threadCount))
        let elapsed = ContinuousClock().measure {
            let body = { (part: Int) in
                require(run(steps, Float(part)).isFinite, "peakGFLOPS: the probe's values overflowed")
            }
            if parts == 1 || !Parallelism.pool().runConcurrently(parts: parts, body) {
                parts = 1
                body(0)
            }
        }
        let (seconds, attoseconds) = elapsed.components
        let flops = Double(parts * steps * flopsPerStep)
        best = Swift.max(best, flops / (Double(seconds) + Double(attoseconds) * 1e-18) / 1e9)
    }
    return best
}
