import Checkpoints
import Foundation
import NN
import Optimizers
import Testing
@testable import TensorCore

/// Conv2d, pooling and batch-norm modules: PyTorch's checkpoint of a CNN loads and reproduces its logits,
/// buffers are state but not parameters, and the layers print as PyTorch's.
@Suite struct ConvolutionalModuleTests {
    /// The CNN of `torch_cnn.safetensors`, built in Swift.
    static func torchCNN() -> Sequential {
        Sequential {
            Conv2d(1, 8, kernelSize: 3, padding: 1); BatchNorm2d(8); ReLU(); MaxPool2d(2)
            Conv2d(8, 16, kernelSize: 3, padding: 1); BatchNorm2d(16); ReLU(); MaxPool2d(2)
            Flatten(); Linear(784, 32); ReLU(); Linear(32, 10)
        }
    }

    // 784-long dot products and batch-norm statistics in another order than PyTorch's: 1e-4 relative, 1e-4
    // absolute (logits of magnitude up to about 5).
    @Test func pytorchCNNCheckpointReproducesItsEvalLogits() throws {
        let model = Self.torchCNN()
        let url = try #require(Bundle.module.url(forResource: "torch_cnn", withExtension: "safetensors", subdirectory: "Resources"))
        try model.loadStateDict(try SafeTensors.read(url))
        model.eval()
        let expected = try Fixture("torch_cnn_expected")
        assertClose(model(try expected.tensor("x")), try expected.tensor("logits"), relative: 1e-4, absolute: 1e-4)
    }

    @Test func buffersAreStateButNotParameters() {
        let norm = BatchNorm2d(3)
        #expect(norm.namedParameters().map(\.0) == ["weight", "bias"])
        #expect(norm.namedBuffers().map(\.0) == ["running_mean", "running_var", "num_batches_tracked"])
        #expect(Set(norm.stateDict().keys) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
        let model = Self.torchCNN()
        #expect(model.parameters().count == 12)
        #expect(model.namedBuffers().map(\.0).prefix(3) == ["1.running_mean", "1.running_var", "1.num_batches_tracked"])
        let optimizer = SGD(model.parameters(), learningRate: 0.1)
        #expect(optimizer.parameters.count == 12)
    }

    /// A fused `Sequential` runs each `BatchNorm2d → ReLU → MaxPool2d` as one op: the same logits, parameter gradients,
    /// running statistics and step counts as the layers called one by one (1e-6 relative, 1e-6 absolute), in
    /// training and in evaluation mode.
    @Test func sequentialFusesBatchNormReLUAndMaxPool() {
        var results: [[Tensor]] = []
        for fused in [false, true] {
            let generator = RandomGenerator(seed: 3)
            let model = Sequential.convolutionalNetwork(ConvolutionalNetworkLayout(channels: [8, 16], hidden: [32], classes: 10),
                                                        imageSize: 28, generator: generator)
            let x = Tensor.randn([3, 1, 28, 28], generator: generator)
            let logits = fused ? model(x) : model.layers.reduce(x) { $1($0) }
            (logits * logits).sum().backward()
            model.eval()
            let evaluated = fused ? model(x) : model.layers.reduce(x) { $1($0) }
            results.append([logits, evaluated] + model.parameters().map { $0.grad! } + model.namedBuffers().map(\.1))
        }
        #expect(results[0].count == 2 + 12 + 6)
        for (index, (unfused, fused)) in zip(results[0], results[1]).enumerated() {
            assertClose(fused, unfused, relative: 1e-6, absolute: 1e-6, "tensor \(index)")
        }
        #expect(results[1].last!.item() == 1, "num_batches_tracked counts the one training step")
    }

    /// A fused `Sequential` runs `Linear → ReLU` as one `linear` call with the ReLU in the product: an MLP's logits and
    /// parameter gradients are those of its layers called one by one (1e-6 relative and absolute).
    @Test func sequentialFusesLinearAndReLU() {
        var results: [[Tensor]] = []
        for fused in [false, true] {
            let generator = RandomGenerator(seed: 8)
            let model = Sequential.multilayerPerceptron([20, 16, 12, 3], generator: generator)
            let x = Tensor.randn([5, 20], generator: generator)
            let logits = fused ? model(x) : model.layers.reduce(x) { $1($0) }
            (logits * logits).sum().backward()
            results.append([logits] + model.parameters().map { $0.grad! })
        }
        #expect(results[0].count == 7)
        for (index, (unfused, fused)) in zip(results[0], results[1]).enumerated() {
            assertClose(fused, unfused, relative: 1e-6, absolute: 1e-6, "tensor \(index)")
        }
    }

    /// A fused `Sequential` runs `Conv2d → ReLU` as one convolution with the ReLU applied as the product stores its output
    /// (and `Linear → ReLU` likewise): a small CNN without batch norm gives the logits and parameter gradients of
    /// its layers called one by one (1e-6 relative and absolute), for convolutions with and without a bias.
    @Test func sequentialFusesConv2dAndReLU() {
        var results: [[Tensor]] = []
        for fused in [false, true] {
            let generator = RandomGenerator(seed: 12)
            let model = Sequential {
                Conv2d(2, 4, kernelSize: 3, padding: 1, generator: generator); ReLU(); MaxPool2d(2)
                Conv2d(4, 6, kernelSize: 3, stride: 2, bias: false, generator: generator); ReLU()
                Flatten(); Linear(24, 5, generator: generator); ReLU(); Linear(5, 3, generator: generator)
            }.fused()
            #expect(model.isFused)
            let x = Tensor.randn([3, 2, 10, 10], generator: generator)
            let logits = fused ? model(x) : model.layers.reduce(x) { $1($0) }
            (logits * logits).sum().backward()
            results.append([logits] + model.parameters().map { $0.grad! })
        }
        #expect(results[0].count == 1 + 7)
        for (index, (unfused, fused)) in zip(results[0], results[1]).enumerated() {
            assertClose(fused, unfused, relative: 1e-6, absolute: 1e-6, "tensor \(index)")
        }
    }

    @Test func batchNormTracksBatchesInTrainingAndUsesRunningStatisticsInEval() {
        let norm = BatchNorm1d(2)
        let x = Tensor([[1, 10], [3, 30]])
        let trained = norm(x)
        assertClose(trained, shape: [2, 2], [-1, -1, 1, 1], relative: 1e-3, absolute: 1e-3)
        #expect(norm.batchesTracked.item() == 1)
        assertClose(norm.runningMean, shape: [2], [0.2, 2])
        norm.eval()
        _ = norm(x)
        #expect(norm.batchesTracked.item() == 1)
    }

    @Test func layersPrintAsPyTorch() {
        #expect(Conv2d(1, 32, kernelSize: 3, padding: 1).description == "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))")
        #expect(Conv2d(4, 8, kernelSize: [1, 3], stride: 2, groups: 2, bias: false).description
                == "Conv2d(4, 8, kernel_size=(1, 3), stride=(2, 2), groups=2, bias=False)")
        #expect(MaxPool2d(2).description == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)")
        #expect(BatchNorm2d(8).description == "BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)")
        #expect(AdaptiveAvgPool2d(1).description == "AdaptiveAvgPool2d(output_size=1)")
    }

    @Test func conv2dOfAThreeAxisInputStopsNamingTheLayer() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Conv2d(3, 4, kernelSize: 3)(Tensor.zeros(3, 8, 8))
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("Conv2d(3, 4): input must be [N, 3, H, W], got shape [3, 8, 8]"))
    }
}
