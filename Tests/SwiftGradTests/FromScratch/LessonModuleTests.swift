import FromScratch
import NN
import Testing
@testable import TensorCore
import Training

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

    /// Depth turns the lesson's initialisation bug into overflow: with Kaiming's weights every ReLU layer's outputs
    /// keep a standard deviation near 1 (between ½ and 2); with the lesson's formula each layer multiplies it by
    /// about fanIn/2 (50 for the first, 25 after), as `ActivationStats` records.
    @Test func deepModelsActivationsStayNearOneOnlyWithKaimingsWeights() {
        let x = Tensor.randn([200, 100], generator: RandomGenerator(seed: 1))
        var stds: [Lesson.Initialization: [Double]] = [:]
        for scheme in Lesson.Initialization.allCases {
            let model = Lesson.deepModel(scheme, generator: RandomGenerator(seed: 2))
            #expect(model.namedParameters().map(\.1.shape) == [[50, 100], [50], [50, 50], [50], [50, 50], [50], [50, 50], [50], [1, 50], [1]])
            let stats = ActivationStats(model: model)
            stats.attach()
            _ = withoutGradient { model(x) }
            stats.detach()
            stds[scheme] = stats.layers.map { $0.standardDeviations[0] }
        }
        #expect(stds[.kaiming]!.count == 4 && stds[.kaiming]!.allSatisfy { $0 > 0.5 && $0 < 2 })
        let growth = zip(stds[.lessonFormula]!.dropFirst(), stds[.lessonFormula]!).map { $0 / $1 }
        #expect(stds[.lessonFormula]![0] > 20 && growth.allSatisfy { $0 > 10 && $0 < 50 }, "\(stds)")
    }
}
