import Foundation
import SwiftGrad
import Testing

/// The code of the DocC catalogs' landing pages and articles (Sources/*/*.docc), verbatim, so that it keeps
/// compiling; `everySwiftBlockIsCompiledHere` checks that each block's lines are here or in `ReadmeExampleTests`.
@Suite struct DocumentationExampleTests {
    @Test func tensorCoreAndNNExamples() {
        let w = Tensor([[1.0, -2.0], [0.5, 3.0]]).requiringGrad()
        let loss = Tensor([[1.0, 2.0]]).matmul(w).relu().sum()
        loss.backward()
        print(w.grad!)          // tensor([[1., 1.], [2., 2.]])
        #expect(w.grad?.scalars == [1, 1, 2, 2])
    }

    @Test func mixedPrecisionExample() {
        let x = Tensor.randn([64, 784]), w = Tensor.randn([256, 784]).requiringGrad()
        let loss = withAutocast { linear(x, weight: w).relu().sum() }
        loss.backward()         // w.grad is float32; the products ran on bfloat16 operands
        #expect(w.grad?.dtype == .float32 && w.grad?.shape == [256, 784])
    }

    /// Compiled, not run: it needs the all-MiniLM-L6-v2 folder (RealModelTests runs the model where CI provides it).
    func pretrainedExample() throws {
        let embedder = try SentenceEmbedder(folder: URL(filePath: "all-MiniLM-L6-v2"))
        let vectors = embedder.embed(["A cat sits.", "A dog runs."])      // [2, 384], unit length
        _ = vectors
    }

    @Test func tokenizersExample() throws {
        let folder = Bundle.module.url(forResource: "Resources", withExtension: nil)!.appending(path: "tokenizers/wordpiece")
        let tokenizer = try WordPieceTokenizer(contentsOf: folder.appending(path: "tokenizer.json"))
        let encoding = tokenizer.encode("Héllo, world!")   // [CLS] hello , world ! [SEP]
        #expect(encoding.tokens == ["[CLS]", "hell", "##o", ",", "world", "!", "[SEP]"])
    }

    @Test func nnExample() {
        let model = Sequential { Linear(784, 128); ReLU(); Linear(128, 10) }.fused()
        let logits = model(Tensor.randn(32, 784))                    // [32, 10]
        let loss = crossEntropy(logits: logits, targets: Tensor.randint(0, 10, shape: [32]))
        #expect(logits.shape == [32, 10] && loss.shape == [])
    }

    @Test func optimizersExample() {
        let model = Sequential { Linear(4, 2) }
        let step = 100
        model(Tensor.randn(3, 4)).sum().backward()
        let optimizer = AdamW(model.parameters(), learningRate: 3e-3, weightDecay: 0.1)
        let schedule = LearningRateSchedule.oneCycle(maximum: 3e-3, totalSteps: 15 * 469)
        optimizer.learningRate = schedule.rate(at: step)
        optimizer.step()
        #expect(optimizer.learningRate > 0 && optimizer.learningRate < 3e-3)
    }

    /// Compiled, not called: they read and write files and the full dataset.
    func checkpointsDatasetsTrainingExamples(runs: URL) throws {
        let model = Sequential { Linear(784, 50); ReLU(); Linear(50, 10) }
        try SafeTensors.write(model.stateDict(), to: URL(filePath: "model.safetensors"))
        try model.loadStateDict(try SafeTensors.read(URL(filePath: "torch_mlp.safetensors")))

        let train = try DataSource.resolve(data: nil).load(.train)     // Fashion-MNIST, 60 000 images
        let loader = DataLoader(train, batchSize: 128, shuffle: true, normalization: .fashionMNIST)
        for (images, labels) in loader.batches(epoch: 0) {
            print(images.shape, labels.shape)                            // [128, 784] [128]
        }
    }

    func trainingExample(model: Module, train: DataLoader, valid: DataLoader, runs: URL) throws {
        let learner = Learner(model: model, data: DataLoaders(train: train, valid: valid), loss: .crossEntropy,
                              optimizer: AdamW(model.parameters(), learningRate: 3e-3), schedule: .oneCycle,
                              callbacks: [Metrics([.accuracy]), ProgressReport(unit: "img"), Checkpointing(folder: runs)])
        try learner.fit(epochs: 10)
    }

    /// The Getting started article, compiled; its first two parts run.
    @Test func gettingStartedExample() throws {
        let a = Tensor([[1, 2], [3, 4]])            // shape [2, 2]
        let column = a[.all, 1]                      // a view, no copy: tensor([2., 4.])
        let b = (a * 2 + 1).sum(axis: 0)             // broadcasting and reductions: tensor([10., 14.])
        #expect(column.scalars == [2, 4] && b.scalars == [10, 14])

        let model = Sequential { Linear(784, 128); ReLU(); Linear(128, 10) }
        let logits = model(Tensor.randn(32, 784))   // [32, 10]
        #expect(logits.shape == [32, 10])

        let x = Tensor.randn(3, 4)
        let y = x[.ellipsis, 1..<3].relu()          // PyTorch's x[..., 1:3].relu()
        let t = x.transposed()                       // a view: strides swapped, nothing copied
        #expect(y.shape == [3, 2] && t.shape == [4, 3])
        _ = firstTrainingRun
    }

    @Test func autogradExample() {
        let x = Tensor([0.5, -1.0, 2.0]).requiringGrad()
        let y = (x * x).sum()
        y.backward()
        print(x.grad!)                                   // tensor([1., -2., 4.])
        #expect(x.grad?.scalars == [1, -2, 4])

        func softplus(_ x: Tensor) -> Tensor {
            let y = withoutGradient { (x.exp() + 1).log() }
            return Tensor.custom("softplus", inputs: [x], value: y) { g in [g * x.detached().sigmoid()] }
        }
        let check = gradcheck({ softplus($0[0]) }, inputs: [Tensor(shape: [3], scalars: [-1, 0.5, 2], dtype: .float64)])
        print(check.passed)                              // true
        #expect(check.passed)
    }

    @Test func modulesExample() throws {
        let net = TwoLayerNet()
        print(net.namedParameters().map(\.0))          // ["hidden.weight", "hidden.bias", "output.weight", "output.bias"]
        #expect(net.namedParameters().map(\.0) == ["hidden.weight", "hidden.bias", "output.weight", "output.bias"])
    }

    /// Compiled, not called: it writes into the working folder.
    func modulesFileExample(_ net: TwoLayerNet) throws {
        try SafeTensors.write(net.stateDict(), to: URL(filePath: "net.safetensors"))
    }

    func firstTrainingRun(_ model: Sequential) throws {
        let source = DataSource.resolve(data: nil)
        let data = DataLoaders(
            train: DataLoader(try source.load(.train), batchSize: 128, shuffle: true, normalization: .fashionMNIST),
            valid: DataLoader(try source.load(.test), batchSize: 1000, normalization: .fashionMNIST))
        let learner = Learner(model: model, data: data, loss: .crossEntropy,
                              optimizer: AdamW(model.parameters(), learningRate: 3e-3), schedule: .oneCycle,
                              callbacks: [Metrics([.accuracy]), ProgressReport(unit: "img")])
        try learner.fit(epochs: 3)
    }

    /// Every ```swift block of the README and of the DocC catalogs (other than package manifests) is compiled by
    /// these tests: each of its lines, stripped of indentation, is a line of this file or of `ReadmeExampleTests`.
    @Test func everySwiftBlockIsCompiledHere() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let compiled = Set(try ["DocumentationExampleTests.swift", "ReadmeExampleTests.swift"].flatMap { name in
            try String(contentsOf: tests.appendingPathComponent(name), encoding: .utf8).split(separator: "\n")
                .map { $0.trimmingCharacters(in: .whitespaces) }
        })
        let catalogs = try FileManager.default.subpathsOfDirectory(atPath: root.appendingPathComponent("Sources").path)
            .filter { $0.contains(".docc/") && $0.hasSuffix(".md") }.map { "Sources/" + $0 }
        #expect(catalogs.count >= 12)
        for document in ["README.md"] + catalogs {
            let text = try String(contentsOf: root.appendingPathComponent(document), encoding: .utf8)
            for block in text.components(separatedBy: "```swift\n").dropFirst() {
                let code = block.components(separatedBy: "```")[0]
                guard !code.contains("import PackageDescription") else { continue }
                for line in code.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) })
                where !line.isEmpty && !compiled.contains(line) {
                    Issue.record("\(document): `\(line)` is not compiled by DocumentationExampleTests or ReadmeExampleTests")
                }
            }
        }
    }
}

/// The Modules article's module.
final class TwoLayerNet: Module {
    let hidden = Linear(784, 128)
    let output = Linear(128, 10)
    override func forward(_ x: Tensor) -> Tensor { output(hidden(x).relu()) }
}
