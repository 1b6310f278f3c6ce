import Datasets
import Foundation
import NN
import Optimizers
import Testing
import TensorCore
@testable import Training

/// Reads the joint gradient norm after the callbacks before it have run.
final class NormProbe: Callback {
    var norms: [Double] = []
    var order: Int { 10 }
    func afterBackward(_ learner: Learner) throws {
        norms.append(learner.optimizer.parameters.compactMap(\.grad).reduce(0.0) { $0 + Double($1.pow(2).sum().item()) }.squareRoot())
    }
}

@Suite struct BuiltInCallbackTests {
    @Test func gradientClippingScalesTheJointNormDownToTheMaximum() throws {
        let clipping = GradientClipping(maximumNorm: 0.05), probe = NormProbe()
        let learner = pointLearner(callbacks: [probe, clipping])
        try learner.fit(epochs: 1)
        #expect(clipping.lastNorm > 0.05)
        #expect(probe.norms.count == 3 && probe.norms.allSatisfy { Swift.abs($0 - 0.05) < 1e-4 })
        let loose = GradientClipping(maximumNorm: 1e6), looseProbe = NormProbe()
        try pointLearner(callbacks: [looseProbe, loose]).fit(epochs: 1)
        #expect(Swift.abs(looseProbe.norms.last! - loose.lastNorm) < 1e-6 * loose.lastNorm)
    }

    @Test func earlyStoppingEndsAFitThatStoppedImproving() throws {
        // A zero rate: the validation loss never changes, so epoch 1 stays the best.
        let model = Linear(2, 3, generator: RandomGenerator(seed: 1))
        let stopping = EarlyStopping(patience: 1)
        let data = DataLoaders(train: DataLoader(pointClasses(count: 4, seed: 1), batchSize: 2),
                               valid: DataLoader(pointClasses(count: 4, seed: 2), batchSize: 2))
        let learner = Learner(model: model, data: data, optimizer: SGD(model.parameters(), learningRate: 0), callbacks: [stopping])
        try learner.fit(epochs: 10)
        #expect(learner.history.count == 3 && stopping.best?.epoch == 1)

        let watchingAccuracy = Learner(model: model, data: data, optimizer: SGD(model.parameters(), learningRate: 0),
                                       callbacks: [EarlyStopping(monitor: "accuracy")])
        #expect {
            try watchingAccuracy.fit(epochs: 2)
        } throws: { error in
            "\(error)" == "EarlyStopping watches 'accuracy', which the validation does not report (it reports loss)"
        }
    }

    @Test func jsonLinesAndCurvesAreWrittenEachEpoch() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (log, curves) = (folder.appendingPathComponent("log.jsonl"), folder.appendingPathComponent("curves.svg"))
        let learner = pointLearner(callbacks: [Metrics([.accuracy]), JSONLinesLog(url: log),
                                               TrainingCurves(url: curves, validationName: "held-out")])
        try learner.fit(epochs: 2)
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONDecoder().decode([String: Double].self, from: Data(lines[0].utf8))
        #expect(Set(first.keys) == ["epoch", "train_loss", "train_seconds", "validation_loss", "accuracy"])
        #expect(first["epoch"] == 1 && first["train_loss"] == learner.history[0].trainLoss)
        let svg = try String(contentsOf: curves, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("held-out loss") && svg.contains("held-out accuracy"))
        #expect(svg.components(separatedBy: "<circle").count - 1 == 6)
    }

    @Test func progressReportPrintsASummaryLinePerEpoch() throws {
        // The summary goes to standard output: check the line it builds through a learner with known figures.
        let learner = pointLearner(callbacks: [Metrics([.accuracy]), ProgressReport(live: false, validationName: "test")])
        try learner.fit(epochs: 1)
        #expect(learner.history.count == 1)
    }
}

@Suite struct ActivationStatsTests {
    @Test func statisticsOfEachWatchedLayerMatchItsOutput() {
        let generator = RandomGenerator(seed: 3)
        let model = Sequential { Linear(4, 16, generator: generator); ReLU(); Linear(16, 16, generator: generator); ReLU(); Linear(16, 2, generator: generator) }
        let stats = ActivationStats(model: model, bins: 10, range: 0...2)
        #expect(stats.layers.map(\.name) == ["1", "3"])
        let x = Tensor.randn([32, 4], generator: generator)
        stats.attach()
        _ = model(x)
        _ = model(x * 2)
        stats.detach()
        _ = model(x)
        #expect(stats.layers.allSatisfy { $0.means.count == 2 && $0.histograms.count == 2 })
        let hidden = (model.layers[0](x)).relu().elements(as: Double.self)
        let mean = hidden.reduce(0, +) / Double(hidden.count)
        let std = (hidden.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(hidden.count)).squareRoot()
        #expect(Swift.abs(stats.layers[0].means[0] - mean) < 1e-9 && Swift.abs(stats.layers[0].standardDeviations[0] - std) < 1e-9)
        #expect(stats.layers[0].nearZeroShares[0] == Double(hidden.filter { Swift.abs($0) < 0.2 }.count) / Double(hidden.count))
        #expect(stats.layers[0].histograms[0].reduce(0, +) == hidden.filter { $0 <= 2 }.count)
        #expect(stats.layers[0].histograms[0][0] == hidden.filter { $0 < 0.2 }.count)
        let svg = stats.svg(title: "test")
        #expect(svg.hasPrefix("<svg") && svg.contains("layer 1") && svg.contains("layer 3"))
    }

    @Test func asACallbackItRecordsTrainingBatchesOnly() throws {
        let learner = pointLearner()
        let stats = ActivationStats(model: learner.model)
        let recorded = Learner(model: learner.model, data: learner.data, optimizer: learner.optimizer, callbacks: [stats])
        try recorded.fit(epochs: 2)
        #expect(stats.layers.count == 1 && stats.layers[0].means.count == 2 * 3)
        #expect(!(learner.model as! Sequential).layers[1].hasHooks)
    }
}

@Suite struct LearningRateFinderTests {
    /// Linear regression under MSE with SGD: the loss's Hessian is 2·XᵀX/n, so plain gradient descent is stable for
    /// rates below 2 / its largest eigenvalue. The suggestion must lie inside that range, and the search must leave
    /// the model and the optimizer as they were.
    @Test func suggestionLiesInTheStableRangeAndNothingIsTrained() throws {
        let generator = RandomGenerator(seed: 5)
        let x = Tensor.randn([256, 4], generator: generator) * Tensor([1.0, 0.5, 2.0, 1.0])
        let y = x.matmul(Tensor([[1.0], [-2.0], [0.5], [3.0]])) + Tensor.randn([256, 1], generator: generator) * 0.1
        let hessian = x.transposed().matmul(x) * (2.0 / 256)
        var v = Tensor.ones([4, 1])
        for _ in 0..<200 { v = hessian.matmul(v) / hessian.matmul(v).pow(2).sum().sqrt() }
        let largest = Double((v.transposed().matmul(hessian).matmul(v)).item())
        let stableBelow = Float(2 / largest)

        let model = Linear(4, 1, generator: generator)
        let optimizer = SGD(model.parameters(), learningRate: 0.01)
        let learner = Learner(model: model, data: DataLoaders(train: DataLoader(TensorDataset(inputs: x, targets: y), batchSize: 32, shuffle: true)),
                              loss: .meanSquaredError, optimizer: optimizer)
        let before = model.parameters().map(\.scalars)
        let search = try learner.findLearningRate(from: 1e-5, to: 100, steps: 120)
        #expect(search.suggestion > stableBelow / 1000 && search.suggestion < stableBelow, "\(search.suggestion) vs \(stableBelow)")
        #expect(search.rates.count < 120, "the loss should diverge before 100")
        #expect(model.parameters().map(\.scalars) == before && optimizer.learningRate == 0.01 && optimizer.stateDict().isEmpty)
        #expect(model.parameters().allSatisfy { $0.grad == nil })
        #expect(search.svg().contains("learning-rate finder"))
    }
}
