import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad lesson`: the whole "matrix multiplication from scratch" lesson, cell by cell.
struct LessonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lesson",
        abstract: "Run the lesson start to finish: five matmuls timed, the MLP's forward pass, initialisation, the backward pass by hand, layer objects, modules with autograd, a few training steps, then convolution four ways and its backward pass by hand, then attention four ways and its backward pass by hand."
    )

    @Option(help: "Seed of the data and weights.")
    var seed: UInt64 = 42

    @OptionGroup var threadsOption: ThreadsOption

    @Flag(help: "Print the figures as one JSON object instead of the report.")
    var json = false

    @Option(help: "Folder for the activation-statistics picture (activation-stats.svg).")
    var out: String = "runs/lesson"

    func run() throws {
        threadsOption.apply()
        var report = LessonReport(json: json)
        let generator = RandomGenerator(seed: seed)

        report.section("1. Matrix multiplication, five ways: m1 [5, 784] · m2 [784, 10]")
        let table = LessonMatmulTable.measure(seed: seed)
        report.text(table.table)
        report.record("matmul", table.results)

        report.section("2. Forward pass: x [200, 100] → lin(100, 50) → relu → lin(50, 1) → mse against y [200]")
        let (x, y) = Lesson.data(generator: generator)
        let parameters = Lesson.Parameters(.kaiming, generator: generator)
        let output = Lesson.model(x, parameters)
        let loss = Lesson.mse(output, y).item()
        report.text("output shape \(output.shape); first ten values:")
        report.text(output[..<10].squeezed(axis: -1).description)
        report.text(String(format: "loss %.4f", loss))
        report.record("output_shape", output.shape)
        report.record("output_first_ten", output[..<10].scalars)
        report.record("loss", loss)

        report.section("3. Initialisation: the lesson's randn / sqrt(2/fanIn) against Kaiming's randn * sqrt(2/fanIn)")
        report.text("init           std(x)   std(lin1)  std(relu)   std(out)          loss")
        var initialisation: [String: Any] = [:]
        for scheme in Lesson.Initialization.allCases {
            let p = Lesson.Parameters(scheme, generator: RandomGenerator(seed: seed &+ 1))
            let l1 = Lesson.lin(x, p.w1, p.b1), l2 = Lesson.relu(l1), out = Lesson.lin(l2, p.w2, p.b2)
            let stds = [x, l1, l2, out].map { Double(standardDeviation($0)) }
            let schemeLoss = Double(Lesson.mse(out, y).item())
            report.text(scheme.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)
                        + String(format: " %7.3f %10.3f %10.3f %10.3f %13.1f", stds[0], stds[1], stds[2], stds[3], schemeLoss))
            initialisation[scheme.rawValue] = ["std_x": stds[0], "std_lin1": stds[1], "std_relu": stds[2],
                                               "std_out": stds[3], "loss": schemeLoss]
        }
        report.text("Dividing by the gain multiplies each layer's scale by fanIn/2; the outputs explode and so does the loss.")
        report.record("initialisation", initialisation)

        report.section("4. Backward pass by hand (mseGrad, linGrad, reluGrad, linGrad)")
        let manual = Lesson.Parameters(w1: parameters.w1.copied(), b1: parameters.b1.copied(),
                                       w2: parameters.w2.copied(), b2: parameters.b2.copied())
        let xManual = x.copied()
        Lesson.forwardAndBackward(xManual, y, manual)
        var gradients: [String: Any] = [:]
        for (name, tensor) in [("w1", manual.w1), ("b1", manual.b1), ("w2", manual.w2), ("b2", manual.b2), ("x", xManual)] {
            let g = tensor.grad!
            let firstThree = Array(g.scalars.prefix(3))
            report.text("\(name).grad \(g.shape): " + firstThree.map { String(format: "%+.6f", $0) }.joined(separator: " ") + " …")
            gradients[name] = ["shape": g.shape, "first": firstThree]
        }
        report.record("gradients", gradients)

        report.section("5. Layer objects: Model([Lin(w1, b1), Relu(), Lin(w2, b2)]) with backward()")
        let layered = Lesson.Parameters(w1: parameters.w1.copied(), b1: parameters.b1.copied(),
                                        w2: parameters.w2.copied(), b2: parameters.b2.copied())
        let model = Lesson.Model(layered)
        let layeredLoss = model(x.copied(), y).item()
        model.backward()
        let layerDifference = zip(layered.all, manual.all).map { ($0.grad! - $1.grad!).abs().max().item() }.max() ?? 0
        report.text(String(format: "loss %.4f; largest difference from the functions' gradients: %.2e", layeredLoss, layerDifference))
        report.record("layers_loss", layeredLoss)
        report.record("layers_vs_functions", layerDifference)

        report.section("6. Modules and autograd: Sequential { Linear(100, 50); ReLU(); Linear(50, 1) }, loss.backward()")
        let difference = Lesson.largestGradientDifference(x, y, parameters)
        report.text(Lesson.moduleModel(parameters).description)
        report.text(String(format: "largest |hand-written − autograd| over w1, b1, w2, b2: %.2e", difference))
        report.record("autograd_vs_hand_written", difference)

        report.section("7. A few steps of training (SGD, lr 0.05) with the module and autograd")
        let trained = Lesson.moduleModel(parameters)
        let optimizer = SGD(trained.parameters(), learningRate: 0.05)
        var losses: [Float] = []
        for step in 1...10 {
            optimizer.zeroGrad()
            let stepLoss = Lesson.mse(trained(x), y)
            stepLoss.backward()
            optimizer.step()
            losses.append(stepLoss.item())
            report.text(String(format: "step %2d  loss %.4f", step, losses.last!))
        }
        report.record("training_losses", losses)

        report.section("8. Convolution four ways: x [2, 3, 8, 8] ⊛ w [4, 3, 3, 3], padding 1")
        let convolution = LessonConvolutionTable.measure(seed: seed)
        report.text(convolution.report.table)
        report.text(String(format: "largest difference from conv2d over the four: %.2e", convolution.largestDifference))
        report.record("convolution", convolution.report.results)
        report.record("convolution_largest_difference", convolution.largestDifference)

        report.section("9. The convolution's backward pass by hand (im2col, two products, col2im) against autograd")
        let image = Tensor.randn([2, 3, 8, 8], generator: generator).requiringGrad()
        let kernel = Tensor.randn([4, 3, 3, 3], generator: generator).requiringGrad()
        let outputGrad = Tensor.randn([2, 4, 6, 6], generator: generator)
        (conv2d(image, kernel) * outputGrad).sum().backward()
        let byHand = conv2dBackward(image.detached(), kernel.detached(), outputGrad: outputGrad)
        let backwardDifference = Swift.max((byHand.input - image.grad!).abs().max().item(),
                                           (byHand.weight - kernel.grad!).abs().max().item())
        report.text(String(format: "largest |hand-written − autograd| over the input's and the weight's gradients: %.2e", backwardDifference))
        report.record("convolution_backward_vs_autograd", backwardDifference)

        try activationStatistics(x, y, report: &report)

        report.section("11. Attention four ways: one causal head, q, k, v [32, 16]")
        let attention = LessonAttentionTable.measure(seed: seed)
        report.text(attention.report.table)
        report.text(String(format: "largest difference between one way and the next: %.2e", attention.largestDifference))
        report.record("attention", attention.report.results)
        report.record("attention_largest_difference", attention.largestDifference)

        report.section("12. One head's backward pass by hand (softmax's Jacobian, three products) against autograd")
        let (q, k, v) = (Tensor.randn([12, 8], generator: generator).requiringGrad(), Tensor.randn([12, 8], generator: generator).requiringGrad(),
                         Tensor.randn([12, 8], generator: generator).requiringGrad())
        let attentionGrad = Tensor.randn([12, 8], generator: generator)
        (scaledDotProductAttention(q, k, v, isCausal: true) * attentionGrad).sum().backward()
        let headByHand = attentionBackward(q.detached(), k.detached(), v.detached(), outputGrad: attentionGrad, causal: true)
        let headDifference = [(headByHand.q, q), (headByHand.k, k), (headByHand.v, v)].map { ($0.0 - $0.1.grad!).abs().max().item() }.max()!
        report.text(String(format: "largest |hand-written − autograd| over q's, k's and v's gradients: %.2e", headDifference))
        report.record("attention_backward_vs_autograd", headDifference)
        report.finish()
    }

    /// Section 10: a deeper model trained briefly from each initialisation, its activations watched by
    /// `ActivationStats`; the picture of both goes to `--out`.
    private func activationStatistics(_ x: Tensor, _ y: Tensor, report: inout LessonReport) throws {
        report.section("10. Activation statistics: 100 → 50 → 50 → 50 → 50 → 1 with ReLU, 3 epochs of SGD (lr 0.01, batches of 20)")
        report.text("init           layer   mean (first batch)       std  near 0")
        var rows: [(title: String, stats: ActivationStats)] = [], figures: [String: Any] = [:]
        for scheme in Lesson.Initialization.allCases {
            let model = Lesson.deepModel(scheme, generator: RandomGenerator(seed: seed &+ 2))
            let stats = ActivationStats(model: model)
            let data = DataLoaders(train: DataLoader(TensorDataset(inputs: x, targets: y), batchSize: 20, shuffle: true, seed: seed))
            let learner = Learner(model: model, data: data, loss: Loss("mse") { Lesson.mse($0, $1) },
                                  optimizer: SGD(model.parameters(), learningRate: 0.01), callbacks: [stats, NonFiniteLossStop()])
            var outcome = "trained 3 epochs"
            do {
                try learner.fit(epochs: 3)
                outcome += String(format: ", loss %.4f", learner.history.last!.trainLoss)
            } catch let error as TrainingError {
                outcome = "stopped: \(error)"
            }
            for layer in stats.layers {
                report.text(scheme.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)
                            + layer.name.padding(toLength: 8, withPad: " ", startingAt: 0)
                            + String(format: "%18.4g %9.4g %7.0f%%", layer.means[0], layer.standardDeviations[0], 100 * layer.nearZeroShares[0]))
            }
            report.text("  → \(outcome)")
            rows.append(("\(scheme == .kaiming ? "Kaiming, randn · sqrt(2/fanIn)" : "the lesson's randn / sqrt(2/fanIn)"): \(outcome)", stats))
            figures[scheme.rawValue] = ["std_first_batch": stats.layers.map { $0.standardDeviations[0] }, "outcome": outcome]
        }
        let folder = URL(fileURLWithPath: out)
        try AtomicFile.createFolder(folder)
        let picture = folder.appendingPathComponent("activation-stats.svg")
        try AtomicFile.write(Data(ActivationStats.svg(rows: rows).utf8), to: picture)
        report.text("Each layer's histogram of activations (0 to 10) over the batches: \(picture.path)")
        report.record("activation_stats", figures)
    }

    private func standardDeviation(_ t: Tensor) -> Float {
        (t - t.mean()).pow(2).mean().sqrt().item()
    }
}

/// The lesson's output: readable sections, or one JSON object.
struct LessonReport {
    let json: Bool
    private var figures: [String: Any] = [:]

    init(json: Bool) { self.json = json }

    func section(_ title: String) {
        guard !json else { return }
        print("\n" + title + "\n" + String(repeating: "─", count: Swift.min(title.count, 100)))
    }

    func text(_ line: String) {
        guard !json else { return }
        print(line)
    }

    mutating func record(_ key: String, _ value: Any) { figures[key] = value }

    func finish() {
        guard json, let data = try? JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys]) else { return }
        print(String(decoding: data, as: UTF8.self))
    }
}
