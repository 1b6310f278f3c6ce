@testable import NN
import Testing
@testable import TensorCore

final class TwoLayers: Module {
    let encoder = Linear(4, 3)
    let layers: [Module] = [ReLU(), Linear(3, 2, bias: false)]
    let scale = Tensor([2.0])
    var head: Module? = nil

    override func forward(_ input: Tensor) -> Tensor { layers.reduce(encoder(input)) { $1($0) } * scale }
}

@Suite struct ModuleTests {
    @Test func parametersAreFoundWithPyTorchNames() {
        let model = Sequential { Linear(784, 50); ReLU(); Linear(50, 10) }
        #expect(model.namedParameters().map(\.0) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        #expect(model.parameters().map(\.shape) == [[50, 784], [50], [10, 50], [10]])
        #expect(model.parameterCount == 784 * 50 + 50 + 50 * 10 + 10)
        let custom = TwoLayers()
        #expect(custom.namedParameters().map(\.0) == ["scale", "encoder.weight", "encoder.bias", "layers.1.weight"])
    }

    @Test func descriptionPrintsTheTreeLikePyTorch() {
        let model = Sequential { Linear(784, 50); ReLU(); Linear(50, 10) }
        #expect(model.description == """
            Sequential(
              (0): Linear(in_features=784, out_features=50, bias=True)
              (1): ReLU()
              (2): Linear(in_features=50, out_features=10, bias=True)
            )
            """)
    }

    @Test func linearInitialisationIsBoundedByOneOverRootFanIn() {
        let layer = Linear(100, 30, generator: RandomGenerator(seed: 1))
        let bound: Float = 0.1
        #expect(layer.weight.abs().max().item() <= bound)
        #expect(layer.weight.abs().max().item() > 0.09)
        #expect(layer.bias!.abs().max().item() <= bound)
        #expect(layer.weight.requiresGrad)
    }

    @Test func loadStateDictChecksNamesAndShapes() throws {
        let model = Sequential { Linear(3, 2); ReLU(); Linear(2, 1) }
        let other = Sequential { Linear(3, 2); ReLU(); Linear(2, 1) }
        try model.loadStateDict(other.stateDict())
        #expect(model.parameters()[0].scalars == other.parameters()[0].scalars)
        #expect(!model.parameters()[0].sharesStorage(with: other.parameters()[0]))

        var broken = other.stateDict()
        broken["2.weight"] = Tensor.zeros(3, 2)
        broken["extra"] = Tensor.zeros(1)
        broken["0.bias"] = nil
        #expect(throws: StateDictError(missing: ["0.bias"], unexpected: ["extra"],
                                       mismatchedShapes: ["2.weight: checkpoint [3, 2], model [1, 2]"])) {
            try model.loadStateDict(broken)
        }
        broken["2.weight"] = other.stateDict()["2.weight"]
        try model.loadStateDict(broken, strict: false)
    }

    @Test func dropoutFollowsTrainAndEval() {
        let dropout = Dropout(0.5, generator: RandomGenerator(seed: 3))
        let model = Sequential { dropout }
        let x = Tensor.ones(1000)
        let trained = model(x)
        let zeros = trained.scalars.filter { $0 == 0 }.count
        #expect(zeros > 400 && zeros < 600)
        #expect(Set(trained.scalars) == [0, 2])
        model.eval()
        #expect(!dropout.isTraining)
        #expect(model(x).scalars == x.scalars)
    }

    @Test func flattenKeepsTheBatchAxis() {
        #expect(Flatten()(Tensor.zeros(5, 1, 28, 28)).shape == [5, 784])
    }

    @Test func initializersHaveTheirVariance() {
        let g = RandomGenerator(seed: 4)
        let shape = [200, 300]
        func std(_ t: Tensor) -> Float { t.pow(2).mean().sqrt().item() }
        #expect(Swift.abs(std(Initializer.kaimingNormal(shape, generator: g)) - (2 / 300 as Float).squareRoot()) < 0.003)
        #expect(Swift.abs(std(Initializer.kaimingUniform(shape, generator: g)) - (2 / 300 as Float).squareRoot()) < 0.003)
        #expect(Swift.abs(std(Initializer.xavierNormal(shape, generator: g)) - (2 / 500 as Float).squareRoot()) < 0.003)
        #expect(Swift.abs(std(Initializer.xavierUniform(shape, generator: g)) - (2 / 500 as Float).squareRoot()) < 0.003)
        #expect(Initializer.fans([16, 3, 5, 5]) == (75, 400))
    }
}
