import Testing
@testable import SwiftGrad

/// The lesson's attention chapter: each way equals the one before, and the backward pass by hand equals autograd.
@Suite struct AttentionLessonTests {
    static let generator = RandomGenerator(seed: 11)
    // T = 9 queries over S = 7 keys (and 9 over 9 for causal), d = 5, dv = 3: small enough for the scalar loops.
    let q = Tensor.randn([9, 5], generator: generator)
    let k = Tensor.randn([7, 5], generator: generator)
    let v = Tensor.randn([7, 3], generator: generator)

    // Float32 sums in other orders: 1e-5.
    @Test(arguments: [false, true])
    func eachWayEqualsTheOneBefore(_ causal: Bool) {
        let keys = causal ? Tensor.randn([9, 5], generator: RandomGenerator(seed: 1)) : k
        let values = causal ? Tensor.randn([9, 3], generator: RandomGenerator(seed: 2)) : v
        let ways = [attentionNaive, attentionRows, attentionMatmul, attentionFused].map { $0(q, keys, values, causal) }
        for (index, (before, after)) in zip(ways, ways.dropFirst()).enumerated() {
            assertClose(after, before, relative: 1e-5, absolute: 1e-5, "way \(index + 1) against way \(index), causal \(causal)")
        }
        if causal { assertClose(ways[3][0], values[0], relative: 1e-6, absolute: 1e-6, "the first query sees only the first key") }
    }

    @Test(arguments: [false, true])
    func backwardByHandEqualsAutograd(_ causal: Bool) {
        let keys = causal ? Tensor.randn([9, 5], generator: RandomGenerator(seed: 3)) : k
        let values = causal ? Tensor.randn([9, 3], generator: RandomGenerator(seed: 4)) : v
        let (a, b, c) = (q.detached().requiringGrad(), keys.detached().requiringGrad(), values.detached().requiringGrad())
        let outputGrad = Tensor.randn([9, 3], generator: RandomGenerator(seed: 5))
        (scaledDotProductAttention(a, b, c, isCausal: causal) * outputGrad).sum().backward()
        let byHand = attentionBackward(q, keys, values, outputGrad: outputGrad, causal: causal)
        assertClose(byHand.q, a.grad!, relative: 1e-4, absolute: 1e-5)
        assertClose(byHand.k, b.grad!, relative: 1e-4, absolute: 1e-5)
        assertClose(byHand.v, c.grad!, relative: 1e-4, absolute: 1e-5)
    }
}
