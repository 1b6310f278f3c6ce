import Foundation
import SwiftGrad
import Testing

/// The README's code examples, verbatim, so that they keep compiling and mean what they say.
@Suite struct ReadmeExampleTests {
    @Test func libraryExample() {
        let a = Tensor([[1, 2], [3, 4]])            // shape [2, 2]
        let column = a[.all, 1]                      // a view, no copy: tensor([2., 4.])
        let b = (a * 2 + 1).sum(axis: 0)             // broadcasting and reductions: tensor([10., 14.])
        let x = Tensor.randn(3, 4)
        let y = x[.ellipsis, 1..<3].relu()          // PyTorch's x[..., 1:3].relu()
        print(b, column, y.shape)

        #expect(column.description == "tensor([2., 4.])")
        #expect(b.description == "tensor([10., 14.])")
        #expect(y.shape == [3, 2])
    }

    @Test func autogradExample() {
        let w = Tensor([[1.0, -2.0], [0.5, 3.0]]).requiringGrad()
        let input = Tensor([[1.0, 2.0]])
        let loss = input.matmul(w).relu().sum()
        loss.backward()
        print(w.grad!)                               // tensor([[1., 1.], [2., 2.]])

        #expect(w.grad?.scalars == [1, 1, 2, 2])
    }

    /// The training-loop example, compiled but not called here: it trains on the full dataset, which a debug build
    /// would take minutes over (`OptimizerTests.tinyTrainingRunConverges` and the CLI tests train for real).
    func trainingLoopExample() throws {
        let model = Sequential { Linear(784, 128); ReLU(); Linear(128, 10) }.fused()   // Linear → ReLU as one product
        let optimizer = AdamW(model.parameters(), learningRate: 3e-3)
        let train = try DataSource.resolve(data: nil).load(.train)
        let loader = DataLoader(train, batchSize: 128, shuffle: true, normalization: .fashionMNIST)
        for epoch in 0..<2 {
            for (images, labels) in loader.batches(epoch: epoch) {
                optimizer.zeroGrad()
                let loss = crossEntropy(logits: model(images), targets: labels)
                loss.backward()
                optimizer.step()
            }
        }
        try SafeTensors.write(model.stateDict(), to: URL(fileURLWithPath: "model.safetensors"))

        let pytorch = Sequential { Linear(784, 50); ReLU(); Linear(50, 10) }
        try pytorch.loadStateDict(try SafeTensors.read(URL(fileURLWithPath: "torch_mlp.safetensors")))
    }

    /// The `Learner` example, compiled but not called here, for the same reason (`LearnerTests` fit for real).
    func learnerExample() throws {
        let source = DataSource.resolve(data: nil)
        let data = DataLoaders(
            train: DataLoader(try source.load(.train), batchSize: 128, shuffle: true, normalization: .fashionMNIST),
            valid: DataLoader(try source.load(.test), batchSize: 1000, normalization: .fashionMNIST))
        let model = SmallNet()
        let learner = Learner(model: model, data: data, loss: .crossEntropy,
                              optimizer: AdamW(model.parameters(), learningRate: 3e-3), schedule: .oneCycle,
                              callbacks: [Metrics([.accuracy]), ProgressReport(unit: "img")])
        try learner.fit(epochs: 3)
        print(learner.history.last!.metrics["accuracy"]!)   // about 0.88
    }

    /// The data-parallel example, compiled but not called here (`DataParallelTests` and `MPICLITests` run it).
    func dataParallelExample() throws {
        let communicator: Communicator = SingleProcessCommunicator()   // MPICommunicator() under mpirun, with the MPI trait
        let shard = Shard(rank: communicator.rank, count: communicator.worldSize)
        let train = DataLoader(try DataSource.resolve(data: nil).load(.train), batchSize: 128, shuffle: true,
                               normalization: .fashionMNIST, shard: shard)
        let model = SmallNet()
        let learner = Learner(model: model, data: DataLoaders(train: train), loss: .crossEntropy,
                              optimizer: AdamW(model.parameters(), learningRate: 3e-3),
                              callbacks: [DataParallel(communicator: communicator)] + (communicator.isRoot ? [ProgressReport()] : []))
        try learner.fit(epochs: 3)
    }

    @Test func sequenceModelExample() {
        let gpt = GPT(GPTConfiguration(vocabularySize: 65, contextLength: 64, layers: 4, heads: 4, embedding: 128))
        let tokens = Tensor.randint(0, 65, shape: [12, 64])
        let logits = gpt(tokens)                                                  // [12, 64, 65]
        let lmLoss = crossEntropy(logits: logits[.all, ..<63], targets: tokens[.all, 1...], classAxis: -1)
        lmLoss.backward()
        let continuation = gpt.generate(after: [0, 1, 2], count: 20, sampling: Sampling(temperature: 0.8, topK: 10))
        let q = Tensor.randn(2, 4, 16, 8), k = Tensor.randn(2, 4, 16, 8), v = Tensor.randn(2, 4, 16, 8)
        let attended = scaledDotProductAttention(q, k, v, isCausal: true)        // [2, 4, 16, 8]
        #expect(logits.shape == [12, 64, 65] && abs(lmLoss.item() - log(65)) < 0.2 && continuation.count == 20)
        #expect(attended.shape == [2, 4, 16, 8] && gpt.head.weight.grad != nil)
    }

    @Test func convolutionalExample() {
        let cnn = Sequential {
            Conv2d(1, 32, kernelSize: 3, padding: 1); BatchNorm2d(32); ReLU(); MaxPool2d(2)
            Conv2d(32, 64, kernelSize: 3, padding: 1); BatchNorm2d(64); ReLU(); MaxPool2d(2)
            Flatten(); Linear(3136, 128); ReLU(); Linear(128, 10)
        }.fused()                                          // each block: a product, then normalise-ReLU-pool in one pass
        let logits = cnn(Tensor.randn(8, 1, 28, 28))       // [8, 10]; cnn.eval() switches batch norm to running statistics
        let y = conv2d(Tensor.randn(2, 3, 9, 9), Tensor.randn(6, 3, 3, 3), stride: 2, padding: .explicit([1, 1]))  // [2, 6, 5, 5]

        #expect(logits.shape == [8, 10] && y.shape == [2, 6, 5, 5])
        let preset = Sequential.convolutionalNetwork(ConvolutionalNetworkLayout(channels: [32, 64], hidden: [128], classes: 10),
                                                     imageSize: 28)
        #expect(preset.description == cnn.description)
        #expect(preset.stateDict().mapValues(\.shape) == cnn.stateDict().mapValues(\.shape))
    }

    /// The serving example: an actor owns the model, and concurrent tasks get answers from it.
    @Test func servingExample() async throws {
        let classifier = try Classifier(checkpoint: nil)
        let answers = await withTaskGroup(of: [Float].self) { group in
            for i in 0..<4 { group.addTask { await classifier.probabilities([Float](repeating: Float(i) / 4, count: 784)) } }
            var all: [[Float]] = []
            for await answer in group { all.append(answer) }
            return all
        }
        #expect(answers.count == 4)
        #expect(answers.allSatisfy { $0.count == 10 && Swift.abs($0.reduce(0, +) - 1) < 1e-5 })
    }

    @Test func sentenceEmbeddingActorExample() async throws {
        let folder = Bundle.module.url(forResource: "Resources", withExtension: nil)!.appendingPathComponent("pretrained/bert-tiny")
        let vectors = try await Embeddings(folder: folder).vectors(["A cat sits.", "A dog runs."])
        #expect(vectors.count == 2 && vectors.allSatisfy { abs($0.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5 })
    }

    @Test func loadingPyTorchWeightsExample() throws {
        let path = try #require(Bundle.module.path(forResource: "torch_mlp", ofType: "safetensors", inDirectory: "Resources"))
        let pytorch = Sequential { Linear(784, 50); ReLU(); Linear(50, 10) }
        try pytorch.loadStateDict(try SafeTensors.read(URL(fileURLWithPath: path)))
        #expect(pytorch.parameterCount == 784 * 50 + 50 + 50 * 10 + 10)
    }
}

/// The README's serving example, verbatim.
actor Classifier {
    private let model = Sequential { Linear(784, 128); ReLU(); Linear(128, 10) }

    init(checkpoint: URL?) throws {
        if let checkpoint { try model.loadStateDict(try SafeTensors.read(checkpoint)) }
    }

    /// Class probabilities of one 28×28 image, as 784 floats.
    func probabilities(_ pixels: [Float]) -> [Float] {
        withoutGradient { model(Tensor(shape: [1, 784], scalars: pixels)).softmax(axis: -1).scalars }
    }
}

/// The README's sentence-embedding server, verbatim.
actor Embeddings {
    private let embedder: SentenceEmbedder

    init(folder: URL) throws { embedder = try SentenceEmbedder(folder: folder) }

    /// Unit-length vectors, one per sentence; their dot products are cosine similarities.
    func vectors(_ sentences: [String]) -> [[Float]] {
        let embedded = embedder.embed(sentences)
        return (0..<sentences.count).map { embedded[$0].scalars }
    }
}

/// The README's custom module.
final class SmallNet: Module {
    let hidden = Linear(784, 128), output = Linear(128, 10)
    override func forward(_ x: Tensor) -> Tensor { output(hidden(x).relu()) }
}
