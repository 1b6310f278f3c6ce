import FromScratch
import Testing
@testable import TensorCore

/// The lesson's MLP against PyTorch (`seed_mlp.json`: forward values and the gradients autograd computed).
@Suite struct LessonTests {
    struct Reference {
        let fixture: Fixture
        let x, y: Tensor
        let parameters: Lesson.Parameters

        init() throws {
            fixture = try Fixture("seed_mlp")
            x = try fixture.tensor("x")
            y = try fixture.tensor("y")
            parameters = Lesson.Parameters(w1: try fixture.tensor("w1"), b1: try fixture.tensor("b1"),
                                           w2: try fixture.tensor("w2"), b2: try fixture.tensor("b2"))
        }

        func expected(_ key: String) throws -> Tensor { try fixture.tensor(key) }
    }

    // Forward values are 100- and 50-long float32 dot products summed in another order than PyTorch's:
    // 1e-4 relative plus 1e-5 absolute. Gradients add one more such product: 1e-4 relative plus 1e-6 absolute
    // (they are small: ~1e-3).
    @Test func forwardPassMatchesPyTorch() throws {
        let r = try Reference()
        let l1 = Lesson.lin(r.x, r.parameters.w1, r.parameters.b1)
        let l2 = Lesson.relu(l1)
        let out = Lesson.lin(l2, r.parameters.w2, r.parameters.b2)
        assertClose(l1, try r.expected("l1"), relative: 1e-4, absolute: 1e-5)
        assertClose(l2, try r.expected("l2"), relative: 1e-4, absolute: 1e-5)
        assertClose(out, try r.expected("out"), relative: 1e-4, absolute: 1e-5)
        assertClose(Lesson.model(r.x, r.parameters), try r.expected("out"), relative: 1e-4, absolute: 1e-5)
        assertClose(Lesson.mse(out, r.y), try r.expected("loss"), relative: 1e-5)
    }

    @Test func handWrittenBackwardMatchesPyTorch() throws {
        let r = try Reference()
        let (_, l1, l2, out) = Lesson.forwardAndBackward(r.x, r.y, r.parameters)
        for (tensor, key) in [(out, "out.grad"), (l2, "l2.grad"), (l1, "l1.grad"), (r.x, "x.grad"),
                              (r.parameters.w1, "w1.grad"), (r.parameters.b1, "b1.grad"),
                              (r.parameters.w2, "w2.grad"), (r.parameters.b2, "b2.grad")] {
            assertClose(try #require(tensor.grad), try r.expected(key), relative: 1e-4, absolute: 1e-6, "\(key)")
        }
    }

    @Test func layerObjectsGiveTheSameGradientsAsTheFunctions() throws {
        let r = try Reference()
        Lesson.forwardAndBackward(r.x, r.y, r.parameters)
        let byFunctions = [r.x.grad!, r.parameters.w1.grad!, r.parameters.b1.grad!, r.parameters.w2.grad!,
                           r.parameters.b2.grad!]
        let fresh = try Reference()
        let model = Lesson.Model(fresh.parameters)
        let loss = model(fresh.x, fresh.y)
        model.backward()
        assertClose(loss, try r.expected("loss"), relative: 1e-5)
        let byLayers = [fresh.x.grad!, fresh.parameters.w1.grad!, fresh.parameters.b1.grad!,
                        fresh.parameters.w2.grad!, fresh.parameters.b2.grad!]
        for (a, b) in zip(byLayers, byFunctions) { assertClose(a, b, relative: 0, absolute: 0) }
    }

    @Test func autogradMatchesPyTorchAndTheHandWrittenBackward() throws {
        let r = try Reference()
        let leaves = [r.x] + r.parameters.all
        for leaf in leaves { leaf.requiresGrad = true }
        let loss = Lesson.mse(Lesson.model(r.x, r.parameters), r.y)
        loss.backward()
        let autograd = leaves.map { $0.grad! }
        for (grad, key) in zip(autograd, ["x.grad", "w1.grad", "b1.grad", "w2.grad", "b2.grad"]) {
            assertClose(grad, try r.expected(key), relative: 1e-4, absolute: 1e-6, "\(key)")
        }
        let manual = try Reference()
        Lesson.forwardAndBackward(manual.x, manual.y, manual.parameters)
        for (a, b) in zip(autograd, [manual.x] + manual.parameters.all) {
            assertClose(a, b.grad!, relative: 1e-5, absolute: 1e-7)
        }
    }

    // The hand-written gradients against central differences in float64: 1e-6 relative plus 1e-8 absolute.
    @Test func mseGradMatchesFiniteDifferences() {
        let g = RandomGenerator(seed: 1)
        let input = Tensor.randn([7, 1], dtype: .float64, generator: g)
        let target = Tensor.randn([7], dtype: .float64, generator: g)
        Lesson.mseGrad(input, target)
        let numeric = numericGradient(of: { Lesson.mse(input, target).double }, at: input)
        assertClose(input.grad!, numeric, relative: 1e-6, absolute: 1e-8)
    }

    @Test func reluGradMatchesFiniteDifferences() {
        let g = RandomGenerator(seed: 2)
        let input = Tensor.randn([4, 5], dtype: .float64, generator: g)
        let weights = Tensor.randn([4, 5], dtype: .float64, generator: g)
        let output = Lesson.relu(input)
        output.grad = weights
        Lesson.reluGrad(input, output)
        let numeric = numericGradient(of: { (Lesson.relu(input) * weights).sum().double }, at: input)
        assertClose(input.grad!, numeric, relative: 1e-6, absolute: 1e-8)
    }

    @Test func linGradMatchesFiniteDifferences() {
        let g = RandomGenerator(seed: 3)
        let input = Tensor.randn([6, 4], dtype: .float64, generator: g)
        let w = Tensor.randn([4, 3], dtype: .float64, generator: g)
        let b = Tensor.randn([3], dtype: .float64, generator: g)
        let weights = Tensor.randn([6, 3], dtype: .float64, generator: g)
        let output = Lesson.lin(input, w, b)
        output.grad = weights
        Lesson.linGrad(input, output, w, b)
        let loss = { (Lesson.lin(input, w, b) * weights).sum().double }
        assertClose(input.grad!, numericGradient(of: loss, at: input), relative: 1e-6, absolute: 1e-8)
        assertClose(w.grad!, numericGradient(of: loss, at: w), relative: 1e-6, absolute: 1e-8)
        assertClose(b.grad!, numericGradient(of: loss, at: b), relative: 1e-6, absolute: 1e-8)
    }

    @Test func lessonFormulaBlowsUpActivationsAndKaimingDoesNot() {
        let (x, y) = Lesson.data(generator: RandomGenerator(seed: 4))
        let good = Lesson.Parameters(.kaiming, generator: RandomGenerator(seed: 5))
        let bad = Lesson.Parameters(.lessonFormula, generator: RandomGenerator(seed: 5))
        let goodOut = Lesson.model(x, good), badOut = Lesson.model(x, bad)
        #expect(goodOut.pow(2).mean().sqrt().item() < 3)
        #expect(badOut.pow(2).mean().sqrt().item() > 300)
        #expect(Lesson.mse(badOut, y).item() > 1e5)
    }
}
