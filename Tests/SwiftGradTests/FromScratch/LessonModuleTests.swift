import FromScratch
import NN
import Testing
@testable import TensorCore

@Suite struct LessonModuleTests {
    // The same float32 sums in two orders: the hand-written and autograd gradients agree to ~1e-6.
    @Test func moduleModelsAutogradEqualsTheHandWrittenBackward() throws {
        let fixture = try Fixture("seed_mlp")
        let p = Lesson.Parameters(w1: try fixture.tensor("w1"), b1: try fixture.tensor("b1"),
                                  w2: try fixture.tensor("w2"), b2: try fixture.tensor("b2"))
        let x = try fixture.tensor("x"), y = try fixture.tensor("y")
        let model = Lesson.moduleModel(p)
        assertClose(model(x), try fixture.tensor("out"), relative: 1e-4, absolute: 1e-5)
        #expect(model.namedParameters().map(\.0) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        #expect(Lesson.largestGradientDifference(x, y, p) < 1e-5)
    }
}
