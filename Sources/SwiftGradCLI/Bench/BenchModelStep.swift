import ArgumentParser
import SwiftGrad

/// The training steps that the benchmarks time and whose matrix products `swiftgrad bench gemm --shapes` reports:
/// zero the gradients, forward, loss, backward and (but for the lesson's) an optimizer step, on random data.
enum BenchModelStep: String, CaseIterable, ExpressibleByArgument {
    /// The lesson's MLP: 200×100 → 50 → ReLU → 1, MSE, forward and backward (no optimizer).
    case lesson
    /// The GEMM issue's wide MLP: 784 → 1024 → 1024 → 10, batch 256, SGD with momentum 0.9.
    case mlp
    /// The main job's MLP: 784 → 256 → 128 → 10, batch 128, AdamW.
    case main
    /// The `swiftgrad train --arch cnn` preset, batch 128, AdamW.
    case cnn
    /// nanoGPT's CPU recipe: 4 layers, 4 heads, 128 wide, context 64, batch 12, 113 symbols, AdamW.
    case gpt
    /// nanoGPT's Shakespeare model: 6 layers, 6 heads, 384 wide, context 256, batch 64, AdamW.
    case babyGPT = "baby-gpt"

    /// A one-line description for reports.
    var title: String {
        switch self {
        case .lesson: "lesson MLP 100-50-1 b200"
        case .mlp: "MLP 784-1024-1024-10 b256"
        case .main: "MLP 784-256-128-10 b128"
        case .cnn: "CNN preset b128"
        case .gpt: "GPT CPU recipe b12"
        case .babyGPT: "baby GPT b64"
        }
    }

    /// The GPT's configuration and batch of the GPT steps (`swiftgrad bench gpt`'s cpu and baby presets).
    static func gptConfiguration(_ preset: BenchGPT.Preset) -> (GPTConfiguration, batch: Int) {
        switch preset {
        case .cpu: (GPTConfiguration(vocabularySize: 113, contextLength: 64, layers: 4, heads: 4, embedding: 128), 12)
        case .baby: (GPTConfiguration(vocabularySize: 113, contextLength: 256, layers: 6, heads: 6, embedding: 384), 64)
        case .gpt2: (GPTConfiguration(vocabularySize: 50257, contextLength: 1024, layers: 12, heads: 12, embedding: 768,
                                      activation: .tanh), 1)
        }
    }

    /// Builds the model, its data and optimizer, and returns one step.
    func makeStep(generator: RandomGenerator = RandomGenerator(seed: 0)) -> () -> Void {
        switch self {
        case .lesson:
            let (x, y) = Lesson.data(generator: generator)
            let parameters = Lesson.Parameters(generator: generator)
            for p in parameters.all { p.requiresGrad = true }
            return {
                for p in parameters.all { p.zeroGrad() }
                Lesson.mse(Lesson.model(x, parameters), y).backward()
            }
        case .mlp, .main, .cnn:
            let model: Module, optimizer: Optimizer, inputShape: [Int]
            switch self {
            case .mlp:
                model = Sequential.multilayerPerceptron([784, 1024, 1024, 10], generator: generator)
                optimizer = SGD(model.parameters(), learningRate: 0.1, momentum: 0.9)
                inputShape = [256, 784]
            case .main:
                model = Sequential.multilayerPerceptron([784, 256, 128, 10], generator: generator)
                optimizer = AdamW(model.parameters(), learningRate: 0.003, weightDecay: 0.1)
                inputShape = [128, 784]
            default:
                model = Sequential.convolutionalNetwork(
                    ConvolutionalNetworkLayout(channels: [32, 64], hidden: [128], classes: 10), imageSize: 28,
                    generator: generator)
                optimizer = AdamW(model.parameters(), learningRate: 0.003, weightDecay: 0.1)
                inputShape = [128, 1, 28, 28]
            }
            let x = Tensor.randn(inputShape, generator: generator)
            let labels = Tensor.randint(0, 10, shape: [inputShape[0]], generator: generator)
            return {
                optimizer.zeroGrad()
                crossEntropy(logits: model(x), targets: labels).backward()
                optimizer.step()
            }
        case .gpt, .babyGPT:
            let (configuration, batch) = Self.gptConfiguration(self == .gpt ? .cpu : .baby)
            return Self.gptStep(GPT(configuration, generator: generator), batch: batch, generator: generator)
        }
    }

    /// One AdamW training step of `model` on random tokens, `batch` sequences of its full context.
    static func gptStep(_ model: GPT, batch: Int, generator: RandomGenerator) -> () -> Void {
        let config = model.configuration
        let optimizer = AdamW(model.parameters(), learningRate: 1e-3, weightDecay: 0.1)
        let x = Tensor.randint(0, config.vocabularySize, shape: [batch, config.contextLength], generator: generator)
        let y = Tensor.randint(0, config.vocabularySize, shape: [batch, config.contextLength], generator: generator)
        return {
            optimizer.zeroGrad()
            crossEntropy(logits: model(x), targets: y, classAxis: -1).backward()
            optimizer.step()
        }
    }
}
