import Checkpoints
import Datasets
import Foundation
import Testing

/// `swiftgrad train --arch cnn` end to end, with a CNN and data small enough for a debug build (channels 2 and
/// 4, one hidden layer of 8; the first 200 training and 100 test images of the bundled sample): the checkpoint
/// says its architecture, `eval` and `predict` rebuild it from the metadata, `--resume` of the finished run
/// evaluates the same model.
@Suite(.serialized) struct TrainCNNCLITests {
    /// A folder holding the first images of the sample's splits, made once.
    static let data: String = {
        let folder = try! temporaryFolder()
        for (split, prefix, count) in [(MNIST.Split.train, "train", 200), (.test, "t10k", 100)] {
            let images = try! MNIST.load(from: DataSource.embeddedSample.directory, split: split).prefix(count)
            try! IDXArray.encode(shape: [count, 28, 28], bytes: images.pixels)
                .write(to: folder.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
            try! IDXArray.encode(shape: [count], bytes: images.labels)
                .write(to: folder.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
        }
        return folder.path
    }()
    static let tiny = ["--arch", "cnn", "--channels", "2,4", "--hidden", "8", "--data", data, "--epochs", "2",
                       "--batch-size", "50", "--threads", "1"]

    @Test func cnnTrainsEvaluatesPredictsAndResumes() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try runCLI(["train"] + Self.tiny + ["--out", out.path, "--json"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.stdout.contains("model: conv 3×3 1 → 2 → 4, 196 → 8 → 10"))
        let metrics = try TrainCLITests.metrics(result)
        #expect(metrics.epochs.count == 2 && metrics.epochs[1].train_loss < metrics.epochs[0].train_loss)
        let model = out.appendingPathComponent("model.safetensors")
        let (tensors, metadata) = try SafeTensors.readWithMetadata(model)
        #expect(metadata["swiftgrad.arch"] == "cnn")
        #expect(tensors["1.running_mean"]?.shape == [2] && tensors["1.num_batches_tracked"]?.item() == 8)

        let evaluation = try runCLI(["eval", "--model", model.path, "--data", Self.data, "--json"])
        #expect(evaluation.status == 0, "\(evaluation.errors)")
        let accuracy = try JSONDecoder().decode([String: Double].self, from: Data(evaluation.stdout.split(separator: "\n").last!.utf8))
        #expect(Swift.abs(accuracy["test_accuracy"]! - metrics.test_accuracy) < 1e-9)

        let prediction = try runCLI(["predict", "--model", model.path, "--data", Self.data, "--index", "0"])
        #expect(prediction.status == 0 && prediction.stdout.contains("actual: Ankle boot"), "\(prediction.errors)")

        let resumed = try runCLI(["train", "--resume", "--out", out.path, "--json"])
        #expect(resumed.status == 0, "\(resumed.errors)")
        #expect(try TrainCLITests.metrics(resumed).test_accuracy == metrics.test_accuracy)

        let wrongArch = try runCLI(["eval", "--model", model.path, "--arch", "mlp", "--data", Self.data])
        #expect(wrongArch.status != 0 && wrongArch.errors.contains("holds an cnn, not the --arch mlp network"))
    }

    /// PyTorch's CNN checkpoint (no SwiftGrad metadata) evaluates with `--arch cnn`, and without it is one line
    /// that says to give it.
    @Test func pytorchCNNCheckpointEvaluatesWithArchCNN() throws {
        let checkpoint = try #require(Bundle.module.path(forResource: "torch_cnn", ofType: "safetensors", inDirectory: "Resources"))
        let evaluated = try runCLI(["eval", "--model", checkpoint, "--arch", "cnn", "--data", Self.data])
        #expect(evaluated.status == 0 && evaluated.stdout.contains("(100 images)"), "\(evaluated.errors)")
        let refused = try runCLI(["eval", "--model", checkpoint, "--data", Self.data])
        #expect(refused.status != 0 && refused.errors.contains("give --arch cnn for a CNN"))
    }

    @Test func channelsWithoutTheCNNAreRefused() throws {
        let result = try runCLI(["train", "--channels", "8,16"])
        #expect(result.status != 0 && result.errors.contains("--channels applies to --arch cnn only"))
    }
}
