import Checkpoints
import Datasets
import Foundation
import NN
import Optimizers
import Testing
import TensorCore
@testable import Training

/// Records every event it sees as "name:event", optionally throwing at one of them.
final class EventLog: Callback {
    let label: String
    let order: Int
    var events: [String] = []
    /// Throws `error` at `event` when `when(learner)` holds.
    var trigger: (event: String, when: (Learner) -> Bool, error: Error)?

    init(_ label: String, order: Int = 0) {
        self.label = label
        self.order = order
    }

    private func log(_ event: String, _ learner: Learner) throws {
        events.append("\(label):\(event)")
        if let trigger, trigger.event == event, trigger.when(learner) { throw trigger.error }
    }

    func check(_ learner: Learner) throws { try log("check", learner) }
    func beforeFit(_ learner: Learner) throws { try log("beforeFit", learner) }
    func beforeEpoch(_ learner: Learner) throws { try log("beforeEpoch", learner) }
    func beforeBatch(_ learner: Learner) throws { try log("beforeBatch", learner) }
    func afterForward(_ learner: Learner) throws { try log("afterForward", learner) }
    func afterLoss(_ learner: Learner) throws { try log("afterLoss", learner) }
    func afterBackward(_ learner: Learner) throws { try log("afterBackward", learner) }
    func afterStep(_ learner: Learner) throws { try log("afterStep", learner) }
    func afterBatch(_ learner: Learner) throws { try log("afterBatch", learner) }
    func beforeValidate(_ learner: Learner) throws { try log("beforeValidate", learner) }
    func afterValidate(_ learner: Learner) throws { try log("afterValidate", learner) }
    func afterEpoch(_ learner: Learner) throws { try log("afterEpoch", learner) }
    func afterFit(_ learner: Learner) throws { try log("afterFit", learner) }
}

struct TestStop: Error, Equatable {}

/// Three classes of points in the plane, around three centres.
func pointClasses(count: Int, seed: UInt64) -> TensorDataset {
    let generator = RandomGenerator(seed: seed)
    let labels = Tensor.randint(0, 3, shape: [count], generator: generator)
    let centres = Tensor([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
    let points = Tensor(shape: [count, 2], scalars: labels.scalars.flatMap { centres[Int($0)].scalars })
        + Tensor.randn([count, 2], generator: generator) * 0.7
    return TensorDataset(inputs: points, targets: labels)
}

/// A learner on `pointClasses`: 6 training examples in batches of 2 and 4 validation examples in batches of 2,
/// unless told otherwise.
func pointLearner(train: Int = 6, valid: Int = 4, batchSize: Int = 2, optimizer: OptimizerKind = .sgd,
                  schedule: ScheduleKind = .constant, callbacks: [Callback] = []) -> Learner {
    let generator = RandomGenerator(seed: 11)
    let model = Sequential { Linear(2, 8, generator: generator); ReLU(); Linear(8, 3, generator: generator) }
    let data = DataLoaders(train: DataLoader(pointClasses(count: train, seed: 1), batchSize: batchSize, shuffle: true, seed: 2),
                           valid: valid == 0 ? nil : DataLoader(pointClasses(count: valid, seed: 3), batchSize: batchSize))
    return Learner(model: model, data: data, loss: .crossEntropy,
                   optimizer: optimizer.make(model.parameters(), learningRate: 0.1, momentum: 0.9),
                   schedule: schedule, callbacks: callbacks)
}

@Suite struct LearnerTests {
    static let trainingBatch = ["beforeBatch", "afterForward", "afterLoss", "afterBackward", "afterStep", "afterBatch"]
    static let validationBatch = ["beforeBatch", "afterForward", "afterLoss", "afterBatch"]
    static let epoch: [String] = {
        var events = ["beforeEpoch"]
        for _ in 0..<3 { events += trainingBatch }
        events.append("beforeValidate")
        for _ in 0..<2 { events += validationBatch }
        return events + ["afterValidate", "afterEpoch"]
    }()

    @Test func eventsRunInTheDocumentedOrderAndCallbacksByTheirOrder() throws {
        let late = EventLog("late", order: 5), early = EventLog("early", order: -5)
        let learner = pointLearner(callbacks: [late, early])
        try learner.fit(epochs: 2)
        #expect(late.events.map { String($0.dropFirst(5)) } == ["check", "beforeFit"] + Self.epoch + Self.epoch + ["afterFit"])
        #expect(early.events.map { String($0.dropFirst(6)) } == late.events.map { String($0.dropFirst(5)) })
        #expect(learner.callbacks.map(\.name) == ["EventLog", "EventLog"] && learner.callbacks[0] === early)
        #expect(learner.history.map(\.epoch) == [1, 2] && learner.epoch == 2 && learner.batchIndex == 0)
        #expect(learner.history.allSatisfy { $0.validationLoss != nil && $0.trainLoss.isFinite })
    }

    @Test func cancellingABatchSkipsItsStepAndItsAfterBatch() throws {
        let log = EventLog("log")
        log.trigger = ("afterForward", { $0.isTraining && $0.epoch == 0 && $0.batchIndex == 1 }, Cancellation.batch)
        let learner = pointLearner(callbacks: [log])
        let before = learner.model.parameters().map { $0.copied() }
        try learner.fit(epochs: 1)
        let events = log.events.map { String($0.dropFirst(4)) }
        #expect(events.filter { $0 == "afterStep" }.count == 2)
        #expect(events.filter { $0 == "afterBatch" }.count == 2 + 2)
        #expect(events.filter { $0 == "beforeBatch" }.count == 3 + 2)
        #expect(learner.batchIndex == 0 && learner.history.count == 1)
        #expect(zip(before, learner.model.parameters()).contains { $0.scalars != $1.scalars })
    }

    @Test func cancellingAnEpochSkipsItsRestButValidates() throws {
        let log = EventLog("log")
        log.trigger = ("beforeBatch", { $0.isTraining && $0.epoch == 0 && $0.batchIndex == 1 }, Cancellation.epoch)
        let learner = pointLearner(callbacks: [log])
        try learner.fit(epochs: 2)
        let events = log.events.map { String($0.dropFirst(4)) }
        #expect(events.filter { $0 == "afterStep" }.count == 1 + 3)
        #expect(events.filter { $0 == "afterValidate" }.count == 2 && events.filter { $0 == "afterEpoch" }.count == 2)
        #expect(learner.history.map(\.epoch) == [1, 2])
    }

    @Test func cancellingTheFitEndsItNormallyAfterAfterFit() throws {
        let log = EventLog("log")
        log.trigger = ("afterEpoch", { $0.history.count == 1 }, Cancellation.fit)
        let learner = pointLearner(callbacks: [log])
        try learner.fit(epochs: 3)
        #expect(learner.history.count == 1)
        #expect(log.events.last == "log:afterFit")
        #expect(learner.failure == nil)
    }

    @Test func aCallbacksErrorEndsTheFitAfterAfterFit() throws {
        let log = EventLog("log")
        log.trigger = ("afterLoss", { $0.epoch == 1 }, TestStop())
        let learner = pointLearner(callbacks: [log])
        #expect(throws: TestStop()) { try learner.fit(epochs: 3) }
        #expect(log.events.last == "log:afterFit")
        #expect(learner.history.count == 1 && learner.failure is TestStop)
    }

    @Test func predictRunsInEvaluationModeWithoutAGraphAndRestoresTheMode() {
        let learner = pointLearner()
        let x = Tensor([[0.5, -0.25], [1.0, 2.0]])
        let y = learner.predict(x)
        #expect(!y.requiresGrad && learner.model.isTraining)
        #expect(y.scalars == withoutGradient { learner.model(x) }.scalars)
    }

    @Test func validateReportsTheLossAndEachMetric() throws {
        let learner = pointLearner(callbacks: [Metrics([.accuracy, Metric("two") { _, _ in 2 }])])
        let figures = try learner.validate()
        #expect(Set(figures.keys) == ["loss", "accuracy", "two"] && figures["two"] == 2)
        let report = ClassificationReport(model: learner.model, data: learner.data.valid!, classes: 3)
        #expect(Swift.abs(figures["accuracy"]! - report.accuracy) < 1e-12)
        #expect(Swift.abs(figures["loss"]! - report.loss) < 1e-6)
    }
}
