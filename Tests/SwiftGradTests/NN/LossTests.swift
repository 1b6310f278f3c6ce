import NN
import Testing
@testable import TensorCore

@Suite struct LossTests {
    // Ten-class log-sum-exps in float32: 1e-5 relative.
    @Test(arguments: ["random", "extreme"])
    func crossEntropyMatchesPyTorch(_ name: String) throws {
        let fixture = try Fixture("cross_entropy")
        let entry = try #require(fixture.root[name] as? [String: Any])
        let logits = try Fixture.tensor(entry["logits"]!).requiringGrad()
        let targets = try Fixture.tensor(entry["target"]!)
        let loss = crossEntropy(logits: logits, targets: targets)
        assertClose(loss, try Fixture.tensor(entry["loss"]!), relative: 1e-5, absolute: 1e-6)
        loss.backward()
        assertClose(try #require(logits.grad), try Fixture.tensor(entry["logits.grad"]!), relative: 1e-5, absolute: 1e-7)
    }

    @Test func lossesStayFiniteForHugeLogits() {
        let logits = Tensor([[1e4, -1e4, 0], [-1e4, 1e4, 1e4]]).requiringGrad()
        let loss = crossEntropy(logits: logits, targets: Tensor([1, 0]))
        #expect(loss.item().isFinite)
        loss.backward()
        #expect(logits.grad!.scalars.allSatisfy { $0.isFinite })
        let bce = binaryCrossEntropy(withLogits: Tensor([1e4, -1e4, 0]), targets: Tensor([0, 1, 1]), reduction: .none)
        assertClose(bce, shape: [3], [1e4, 1e4, 0.6931472], relative: 1e-6)
        #expect(binaryCrossEntropy(Tensor([0, 1]), targets: Tensor([1, 0])).item() == 100)
    }

    @Test func reductionsAndGradients() {
        let g = RandomGenerator(seed: 8)
        let logits = Tensor.randn([5, 4], dtype: .float64, generator: g)
        let targets = Tensor([0, 3, 1, 1, 2], dtype: .float64)
        let perSample = crossEntropy(logits: logits, targets: targets, reduction: .none)
        #expect(perSample.shape == [5])
        assertClose(crossEntropy(logits: logits, targets: targets, reduction: .sum), perSample.sum(), relative: 1e-12)
        assertClose(mseLoss(Tensor([1, 2]), Tensor([2, 4])), shape: [], [2.5])
        for function in [
            { (x: [Tensor]) in crossEntropy(logits: x[0], targets: targets) },
            { (x: [Tensor]) in binaryCrossEntropy(withLogits: x[0], targets: Tensor.rand([5, 4], dtype: .float64, generator: RandomGenerator(seed: 1))) },
            { (x: [Tensor]) in mseLoss(x[0], Tensor.zeros([5, 4], dtype: .float64), reduction: .sum) },
        ] {
            let result = gradcheck(function, inputs: [logits])
            #expect(result.passed, "\(result)")
        }
    }
}
