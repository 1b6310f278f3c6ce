import Testing
@testable import TensorCore

@Suite struct ReductionTests {
    @Test func reductionsAlongEveryAxisWithKeepDims() {
        let x = Tensor.arange(0, 24).reshaped(2, 3, 4)
        assertClose(x.sum(axis: 0), shape: [3, 4], (0..<12).map { Double(2 * $0 + 12) })
        assertClose(x.max(axis: 1, keepDims: true), shape: [2, 1, 4], [8, 9, 10, 11, 20, 21, 22, 23])
        assertClose(x.min(axis: -1), shape: [2, 3], [0, 4, 8, 12, 16, 20])
        assertClose(x.mean(axis: -2), shape: [2, 4], [4, 5, 6, 7, 16, 17, 18, 19])
        assertClose(x.argmin(axis: 0), shape: [3, 4], [Double](repeating: 0, count: 12))
        assertClose(x.argmax(), shape: [], [23])
        assertClose(x.sum(keepDims: true), shape: [1, 1, 1], [276])
    }

    @Test func longSumIsAccurate() {
        // 100 000 copies of 0.1: a float32 running sum drifts by ~1e-3 relative; pairwise blocks stay within 1e-6.
        let x = Tensor.full([100_000], 0.1)
        assertClose(x.sum(), shape: [], [10_000], relative: 1e-6)
    }

    @Test func reductionsOfStridedAndBroadcastViews() {
        let x = Tensor.arange(0, 6).reshaped(2, 3)
        assertClose(x.transposed().sum(axis: 1), shape: [3], [3, 5, 7])
        assertClose(Tensor([1, 2]).expanded(to: [3, 2]).sum(axis: 0), shape: [2], [3, 6])
    }

    @Test func nanPropagatesWhateverItsPosition() {
        let nan = Float.nan
        #expect(Tensor([nan, 1, 2]).max().item().isNaN)
        #expect(Tensor([1, 2, nan]).max().item().isNaN)
        #expect(Tensor([1, nan, 2]).min().item().isNaN)
        #expect(Tensor([1, 2, nan]).sum().item().isNaN)
        #expect(Tensor([1, nan, 2]).argmax().item() == 1)
        #expect(Tensor([[1, nan], [3, 2]]).max(axis: 0).scalars[1].isNaN)
        #expect(Tensor([nan, 1]).maximum(Tensor([0, nan])).scalars.allSatisfy { $0.isNaN })
        #expect(Tensor([nan, -1]).relu().scalars[0].isNaN)
    }

    @Test func softmaxIsStableForHugeLogits() {
        let logits = Tensor([[1000, -1000, 0], [-1000, 999, 1000]])
        assertClose(logits.softmax(axis: -1), shape: [2, 3], [1, 0, 0, 0, 0.26894142, 0.73105858])
        assertClose(logits.logSoftmax(axis: 1), shape: [2, 3],
                    [0, -2000, -1000, -2000.3132616, -1.3132616, -0.3132616], relative: 1e-6)
        assertClose(Tensor([[1e4, -1e4]]).logSoftmax(), shape: [1, 2], [0, -2e4])
    }

    /// max and min along contiguous rows (32 chains of compares from 64 elements) against the definition applied
    /// left to right, bit for bit: NaN anywhere gives the last NaN, ±0 extremes keep the first zero's sign, ±∞;
    /// rows of every length from 1 to 40, around 64 and 96 (the chains' edges) and of 1000.
    @Test func extremesOfRowsMatchTheSequentialDefinition() {
        let g = RandomGenerator(seed: 6)
        let specials: [Float] = [.nan, -.nan, 0, -0.0, .infinity, -.infinity]
        for length in Array(1...40) + [63, 64, 65, 95, 96, 97, 1000] {
            for trial in 0..<8 {
                var row = Tensor.randn([length], generator: g).scalars
                if trial > 0 {
                    for _ in 0..<trial {
                        let at = Int(g.withLock { $0.nextInt(below: UInt64(length)) })
                        row[at] = specials[Int(g.withLock { $0.nextInt(below: UInt64(specials.count)) })]
                    }
                }
                if trial == 7 { row = row.map { $0.isNaN ? $0 : -Swift.abs($0) } + [0, -0.0] }
                let tensor = Tensor(shape: [1, row.count], scalars: row)
                var (largest, smallest) = (row[0], row[0])
                for b in row.dropFirst() {
                    if b > largest || b.isNaN { largest = b }
                    if b < smallest || b.isNaN { smallest = b }
                }
                #expect(tensor.max(axis: 1).scalars[0].bitPattern == largest.bitPattern, "max of \(row)")
                #expect(tensor.min(axis: 1).scalars[0].bitPattern == smallest.bitPattern, "min of \(row)")
            }
        }
    }

    /// The one-pass kernel against the formula written with whole-tensor ops, bit for bit: every axis of a
    /// [3, 300, 257] tensor (rows split between threads, strided columns), with −∞ and NaN in some rows.
    @Test func softmaxKernelMatchesTheCompositeFormula() {
        let x = Tensor.randn([3, 300, 257], generator: RandomGenerator(seed: 4)) * 5
        x[0, 0, 0] = Tensor(-Float.infinity)
        x[1, 2, 3] = Tensor(Float.nan)
        for axis in 0..<3 {
            let shifted = x - x.max(axis: axis, keepDims: true)
            let e = shifted.exp()
            let softmax = e / e.sum(axis: axis, keepDims: true)
            let logSoftmax = shifted - e.sum(axis: axis, keepDims: true).log()
            #expect(x.softmax(axis: axis).scalars.map(\.bitPattern) == softmax.scalars.map(\.bitPattern), "axis \(axis)")
            #expect(x.logSoftmax(axis: axis).scalars.map(\.bitPattern) == logSoftmax.scalars.map(\.bitPattern),
                    "axis \(axis)")
        }
    }

    @Test func inPlaceOperatorsBroadcastIntoViews() {
        let x = Tensor.ones(2, 3)
        x += Tensor([1, 2, 3])
        x[.all, 0] *= 10
        x -= 1
        x /= 2
        assertClose(x, shape: [2, 3], [9.5, 1, 1.5, 9.5, 1, 1.5])
    }

    @Test func comparisonsAndWhereGiveMasks() {
        let x = Tensor([-1, 0, 2])
        #expect((x .> 0).scalars == [0, 0, 1])
        #expect((x .<= 0).scalars == [1, 1, 0])
        #expect((x .< 0).scalars == [1, 0, 0])
        #expect((x .>= 0).scalars == [0, 1, 1])
        #expect((x .== Tensor(0.0)).scalars == [0, 1, 0])
        #expect((x .!= 0).scalars == [1, 0, 1])
        #expect((x .== Tensor([[-1], [2]])).scalars == [1, 0, 0, 0, 0, 1])
        #expect(which(x .> 0, x, Tensor(-5.0)).scalars == [-5, -5, 2])
        #expect(x.clamped(min: -0.5, max: 1).scalars == [-0.5, 0, 1])
        assertClose(Tensor([-1000, 0, 1000]).sigmoid(), shape: [3], [0, 0.5, 1])
    }

    /// Float comparisons run in the kernels: float64 through a transposed view (NaN equal to nothing, itself
    /// included), and a comparison large enough to be cut into pieces for several threads.
    @Test func floatComparisonsThroughStridesAndOnThreads() {
        let y = Tensor(shape: [2, 2], scalars: [1, .nan, 3, 4]).to(.float64).transposed()
        #expect((y .> 2).scalars == [0, 1, 0, 1])
        #expect((y .== y).scalars == [1, 1, 0, 1])
        #expect((y .!= y).scalars == [0, 0, 1, 0])
        #expect((y .<= Tensor([3, 3]).to(.float64)).scalars == [1, 1, 0, 0])
        let g = RandomGenerator(seed: 4)
        let a = Tensor.randn([300_001], generator: g), b = Tensor.randn([300_001], generator: g)
        let expected = zip(a.scalars, b.scalars).map { $0 < $1 ? Float(1) : 0 }
        ParallelismTests.forEachThreadCount([1, 2]) { threads in
            #expect((a .< b).scalars == expected, "threads \(threads)")
        }
    }

    /// clamp's gradient as PyTorch's `clamp_backward`: it passes where min ≤ x ≤ max, bounds included, and is 0
    /// where x was clipped or is NaN; with one bound, only that bound clips.
    @Test func clampGradientPassesInsideTheBoundsIncluded() {
        for (low, high, expected) in [(Float(0), Float(1), [Float](arrayLiteral: 0, 1, 1, 1, 0, 0)),
                                      (0, nil, [0, 1, 1, 1, 1, 0]), (nil, 1, [1, 1, 1, 1, 0, 0])] as [(Float?, Float?, [Float])] {
            let x = Tensor([-1, 0, 0.5, 1, 2, .nan]).requiringGrad()
            (x.clamped(min: low, max: high) * Tensor([1, 2, 3, 4, 5, 6])).sum().backward()
            let weights: [Float] = [1, 2, 3, 4, 5, 6]
            #expect(x.grad?.scalars == zip(expected, weights).map { $0 * $1 }, "min \(String(describing: low)) max \(String(describing: high))")
        }
    }
}
