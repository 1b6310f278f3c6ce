import Testing
@testable import TensorCore

/// GELU, layer norm, embedding and scaled dot-product attention against `transformer_ops.json` (PyTorch 2.15,
/// `scripts/make_transformer_fixtures.py`): values, and the gradients of (output · grad_out).sum().
@Suite struct TransformerOpsFixtureTests {
    /// Runs `op` on the case's inputs (leaves requiring gradients) and compares the output and every input's
    /// gradient PyTorch recorded. Float32 throughout; tolerances are stated per case.
    func check(_ key: String, inputs names: [String], relative: Double, absolute: Double,
               sourceLocation: SourceLocation = #_sourceLocation, _ op: ([Tensor]) -> Tensor) throws {
        let fixture = try Fixture("transformer_ops")
        let entry = try #require(fixture.root[key] as? [String: Any])
        let inputs = try names.map { try Fixture.tensor(try #require(entry[$0])).requiringGrad() }
        let output = op(inputs)
        assertClose(output, try Fixture.tensor(try #require(entry["output"])), relative: relative, absolute: absolute,
                    "\(key) output", sourceLocation: sourceLocation)
        (output * (try Fixture.tensor(try #require(entry["grad_out"])))).sum().backward()
        for (name, input) in zip(names, inputs) {
            guard let expected = entry[name + ".grad"] else { continue }
            let gradient = try #require(input.grad, "\(key): no gradient reached \(name)")
            assertClose(gradient, try Fixture.tensor(expected), relative: relative, absolute: absolute,
                        "\(key) \(name).grad", sourceLocation: sourceLocation)
        }
    }

    // Elementwise: erf's approximation is within 2e-7 relative (the op's doc), the rest float rounding.
    @Test func geluMatchesPyTorch() throws {
        try check("gelu", inputs: ["x"], relative: 1e-5, absolute: 1e-6) { $0[0].gelu() }
        try check("gelu_tanh", inputs: ["x"], relative: 1e-5, absolute: 1e-6) { $0[0].gelu(approximate: .tanh) }
    }

    // Short rows (5 and 12 elements): reductions in another order, a few ulps.
    @Test func layerNormMatchesPyTorch() throws {
        try check("layer_norm", inputs: ["x", "weight", "bias"], relative: 1e-4, absolute: 1e-5) {
            layerNorm($0[0], normalizedShape: [5], weight: $0[1], bias: $0[2])
        }
        try check("layer_norm_2d_no_affine", inputs: ["x"], relative: 1e-4, absolute: 1e-5) {
            layerNorm($0[0], normalizedShape: [3, 4])
        }
    }

    // A copy forward; the gradient sums at most two rows: exact to float rounding.
    @Test func embeddingMatchesPyTorchWithRepeatedIdsAndPadding() throws {
        let fixture = try Fixture("transformer_ops")
        let indices = try Fixture.tensor(try #require((fixture.root["embedding"] as? [String: Any])?["indices"]))
        try check("embedding", inputs: ["weight"], relative: 1e-6, absolute: 1e-7) {
            embedding(indices, weight: $0[0], paddingIndex: 0)
        }
    }

    // Dot products of 4–5 elements and softmaxes over 7–70 keys, summed in blocks: 1e-4 relative.
    @Test(arguments: ["sdpa", "sdpa_scale", "sdpa_causal", "sdpa_mask", "sdpa_mask_broadcast"])
    func attentionMatchesPyTorch(_ key: String) throws {
        let fixture = try Fixture("transformer_ops")
        let entry = try #require(fixture.root[key] as? [String: Any])
        let mask = try entry["mask"].map { try Fixture.tensor($0) }
        try check(key, inputs: ["q", "k", "v"], relative: 1e-4, absolute: 1e-5) {
            scaledDotProductAttention($0[0], $0[1], $0[2], mask: mask, isCausal: key == "sdpa_causal",
                                      scale: key == "sdpa_scale" ? 0.3 : nil)
        }
    }

    @Test func attentionEqualsSoftmaxOfScoresTimesValues() {
        let g = RandomGenerator(seed: 9)
        let (q, k, v) = (Tensor.randn([3, 130, 8], generator: g), Tensor.randn([3, 100, 8], generator: g),
                         Tensor.randn([3, 100, 5], generator: g))
        let mask = Tensor.randn([130, 100], generator: g)
        let reference = (q.matmul(k.transposed(-1, -2)) / Float(8).squareRoot() + mask).softmax(axis: -1).matmul(v)
        assertClose(scaledDotProductAttention(q, k, v, mask: mask), reference, relative: 1e-4, absolute: 1e-5,
                    "several blocks of queries and keys with remainders")
    }

    /// Views are read where they lie: heads split out of one wider product, keys shared by every head (stride 0),
    /// a slice of a longer buffer; values and gradients equal those of contiguous copies.
    @Test func attentionReadsViewsThroughTheirStrides() {
        let g = RandomGenerator(seed: 6)
        let joined = Tensor.randn([2, 9, 3, 4, 8], generator: g).permuted(2, 0, 3, 1, 4)      // [3, B, H, T, d]
        let shared = Tensor.randn([2, 1, 20, 8], generator: g)
        let (q, k, v) = (joined[0], shared.expanded(to: [2, 4, 20, 8])[.all, .all, ..<9], joined[2])
        let copies = [q, k, v].map { $0.contiguous().requiringGrad() }
        let views = [q, k, v].map { $0.detached().requiringGrad() }
        let outGradient = Tensor.randn([2, 4, 9, 8], generator: g)
        for inputs in [copies, views] {
            (scaledDotProductAttention(inputs[0], inputs[1], inputs[2], isCausal: true) * outGradient).sum().backward()
        }
        assertClose(scaledDotProductAttention(views[0], views[1], views[2], isCausal: true),
                    scaledDotProductAttention(copies[0], copies[1], copies[2], isCausal: true), relative: 1e-6, absolute: 1e-6)
        for (view, copy) in zip(views, copies) { assertClose(view.grad!, copy.grad!, relative: 1e-6, absolute: 1e-6) }
    }

    @Test func attentionGivesTheSameBitsOnOneAndTwoThreads() {
        let g = RandomGenerator(seed: 4)
        let (q, k, v) = (Tensor.randn([4, 70, 16], generator: g).requiringGrad(), Tensor.randn([4, 70, 16], generator: g).requiringGrad(),
                         Tensor.randn([4, 70, 16], generator: g).requiringGrad())
        func run(_ threads: Int) -> [[Float]] {
            Parallelism.withThreadCount(threads) {
                for t in [q, k, v] { t.zeroGrad() }
                let y = scaledDotProductAttention(q, k, v, isCausal: true)
                y.sum().backward()
                return [y.scalars, q.grad!.scalars, k.grad!.scalars, v.grad!.scalars]
            }
        }
        #expect(run(1) == run(2))
    }

    @Test func attentionDropoutKeepsTheExpectedShareAndIsReproducible() {
        let g = RandomGenerator(seed: 2)
        let (q, k) = (Tensor.zeros([1, 200, 4]), Tensor.zeros([1, 200, 4]))
        let v = Tensor.ones([1, 200, 1])
        // Uniform weights 1/200 each: the output is the kept share of them, scaled by 1/(1 − p).
        let y = scaledDotProductAttention(q, k, v, dropout: 0.25, generator: g)
        #expect(Swift.abs(y.mean().item() - 1) < 0.01)
        let again = scaledDotProductAttention(q, k, v, dropout: 0.25, generator: RandomGenerator(seed: 2))
        #expect(y.scalars == again.scalars)
    }
}
