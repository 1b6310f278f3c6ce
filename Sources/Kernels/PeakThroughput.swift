import KernelSupport
/// `A` independent accumulators of `V`, as many as the family's register tile holds, each updated as
/// `y + acc·x` per step: a chain through the multiply, so a family without fused multiply-add does both of its
/// operations (with `acc + x·y` the compiler would hoist the product). `x` < 1 keeps the values bounded.
enum PeakProbe<let A: Int, V: SIMD, M: MultiplyAccumulate> where V.Scalar == Float {
    static func gflops(threads: Int, steps: Int) -> Double {
        var best = 0.0
        for _ in 0..<5 {
            var parts = Swift.max(1, Swift.min(threads, Parallelism.threadCount))
            let elapsed = ContinuousClock().measure {
                let body = { (part: Int) in
                    require(run(steps: steps, seed: Float(part)).isFinite, "peakGFLOPS: the probe's values overflowed")
                }
                // While another thread's product holds the pool, this one measures one core.
                if parts == 1 || !Parallelism.pool().runConcurrently(parts: parts, body) {
                    parts = 1
                    body(0)
                }
            }
            let (seconds, attoseconds) = elapsed.components
            let flops = Double(parts * steps * A * V.scalarCount * 2)
            best = Swift.max(best, flops / (Double(seconds) + Double(attoseconds) * 1e-18) / 1e9)
        }
        return best
    }

    @inline(never)
    static func run(steps: Int, seed: Float) -> Float {
        var acc = InlineArray<A, V>(repeating: V(repeating: seed))
        let x = V(repeating: 0.999), y = V(repeating: 0.001)
        var step = 0
        // A `while` loop, as in the tile: the accumulators stay in registers.
        while step < steps {
            for j in 0..<A { acc[j] = M.accumulate(y, acc[j], x) }
            step &+= 1
        }
        var total = V()
        for j in 0..<A { total += acc[j] }
        return total.laneSum()
    }
}
