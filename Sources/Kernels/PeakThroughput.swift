import KernelSupport
/// `A` independent accumulators of `V`, as many as the family's register tile holds, each updated as
/// `y + acc·x` per step: a chain through the multiply, so a family without fused multiply-add does both of its
/// operations (with `acc + x·y` the compiler would hoist the product). `x` < 1 keeps the values bounded.
enum PeakProbe<let A: Int, V: SIMD, M: MultiplyAccumulate> where V.Scalar == Float {
    static func gflops(threads: Int, steps: Int) -> Double {
        bestProbeGFLOPS(threads: threads, steps: steps, flopsPerStep: A * V.scalarCount * 2) { run(steps: $0, seed: $1) }
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
