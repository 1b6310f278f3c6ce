import Checkpoints
import Datasets
import Foundation
import Testing

/// `swiftgrad train`, `eval` and `predict` end to end on the bundled Fashion-MNIST sample. The tests run a debug
/// build, where the kernels are a hundred times slower than in release, so the model is tiny (784 → 16 → 10 on
/// 1 000 images) and each run takes seconds.
@Suite(.serialized) struct TrainCLITests {
    static let sample = DataSource.embeddedSample.directory.path
    static let quick = ["--data", sample, "--hidden", "16", "--epochs", "2", "--limit", "1000", "--batch-size", "50",
                        "--lr", "0.01", "--threads", "1"]

    struct Metrics: Decodable {
        struct Epoch: Decodable, Equatable {
            let epoch: Int
            let train_loss: Double
            let test_loss: Double
            let test_accuracy: Double
        }
        let test_accuracy: Double
        let epochs: [Epoch]
    }

    static func metrics(_ result: CLIResult) throws -> Metrics {
        let last = try #require(result.stdout.split(separator: "\n").last, "no output")
        return try JSONDecoder().decode(Metrics.self, from: Data(last.utf8))
    }

    @Test func twoEpochsOnTheSampleBeatChanceAndWriteEveryFile() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try runCLI(["train"] + Self.quick + ["--out", out.path, "--json"])
        #expect(result.status == 0, "\(result.errors)")
        let metrics = try Self.metrics(result)
        #expect(metrics.epochs.count == 2)
        // Ten classes: chance is 0.10.
        #expect(metrics.test_accuracy > 0.5)
        #expect(metrics.epochs[1].train_loss < metrics.epochs[0].train_loss)
        #expect(result.stdout.contains("confusion matrix"))
        #expect(result.stdout.contains("Ankle boot"))
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: out.path))
        #expect(files == ["model.safetensors", "training-state.safetensors", "metrics.json", "curves.svg"])
        let saved = try JSONDecoder().decode(Metrics.self, from: Data(contentsOf: out.appendingPathComponent("metrics.json")))
        #expect(saved.epochs == metrics.epochs)
        let svg = try String(contentsOf: out.appendingPathComponent("curves.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("test accuracy") && svg.contains("epoch"))

        let evaluation = try runCLI(["eval", "--model", out.appendingPathComponent("model.safetensors").path,
                                     "--data", Self.sample, "--json"])
        #expect(evaluation.status == 0, "\(evaluation.errors)")
        let accuracy = try JSONDecoder().decode([String: Double].self, from: Data(evaluation.stdout.split(separator: "\n").last!.utf8))
        #expect(Swift.abs(accuracy["test_accuracy"]! - metrics.test_accuracy) < 1e-9)

        let prediction = try runCLI(["predict", "--model", out.appendingPathComponent("model.safetensors").path,
                                     "--data", Self.sample, "--index", "0"])
        #expect(prediction.status == 0, "\(prediction.errors)")
        #expect(prediction.stdout.contains("actual: Ankle boot"))
        #expect(prediction.stdout.contains("1. ") && prediction.stdout.contains("3. "))
    }

    /// `--precision bf16`: the report says so, the run learns about as well as float32 (the tiny model and two epochs
    /// move by a few points: 5 is the bound here; the 0.3-point comparison is a release-build run in the
    /// Performance article), the saved weights are float32 and evaluate anywhere, and `--resume` keeps the precision.
    @Test func bfloat16MixedPrecisionTrainsAndSavesFloat32Weights() throws {
        let mixed = try temporaryFolder(), plain = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: mixed); try? FileManager.default.removeItem(at: plain) }
        let result = try runCLI(["train"] + Self.quick + ["--precision", "bf16", "--out", mixed.path, "--json"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.stdout.contains("bfloat16 mixed precision"))
        let reference = try Self.metrics(try runCLI(["train"] + Self.quick + ["--out", plain.path, "--json"]))
        let metrics = try Self.metrics(result)
        #expect(Swift.abs(metrics.test_accuracy - reference.test_accuracy) < 0.05, "bf16 \(metrics.test_accuracy), f32 \(reference.test_accuracy)")
        #expect(metrics.test_accuracy != reference.test_accuracy || metrics.epochs != reference.epochs)
        let weights = try SafeTensors.read(mixed.appendingPathComponent("model.safetensors"))
        #expect(!weights.isEmpty && weights.values.allSatisfy { $0.dtype == .float32 })
        let evaluation = try runCLI(["eval", "--model", mixed.appendingPathComponent("model.safetensors").path,
                                     "--data", Self.sample, "--json"])
        #expect(evaluation.status == 0, "\(evaluation.errors)")
        // The same model with its weights held in bfloat16: about the same accuracy.
        let halved = try runCLI(["eval", "--model", mixed.appendingPathComponent("model.safetensors").path,
                                 "--data", Self.sample, "--weights", "bf16", "--json"])
        let accuracy = { (result: CLIResult) in
            try JSONDecoder().decode([String: Double].self, from: Data(result.stdout.split(separator: "\n").last!.utf8))["test_accuracy"]!
        }
        #expect(halved.status == 0, "\(halved.errors)")
        #expect(Swift.abs(try accuracy(halved) - accuracy(evaluation)) < 0.02)
        let refused = try runCLI(["train", "--data", Self.sample, "--out", mixed.path, "--resume", "--precision", "f32"])
        #expect(refused.errors.contains("--precision f32 differs from the saved run's bf16"), "\(refused.errors)")
    }

    @Test func sameSeedAndThreadsGiveIdenticalMetrics() throws {
        let first = try temporaryFolder(), second = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: first); try? FileManager.default.removeItem(at: second) }
        let a = try Self.metrics(try runCLI(["train"] + Self.quick + ["--epochs", "1", "--out", first.path, "--json"]))
        let b = try Self.metrics(try runCLI(["train"] + Self.quick + ["--epochs", "1", "--out", second.path, "--json"]))
        #expect(a.epochs == b.epochs)
    }

    /// Products, elementwise ops, reductions and optimizer steps give the same bits on any thread count, so a
    /// whole run does too. A 48-wide layer on batches of 50 makes the first layer's products large enough to
    /// split between the threads.
    @Test func oneAndTwoThreadsGiveIdenticalMetrics() throws {
        let first = try temporaryFolder(), second = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: first); try? FileManager.default.removeItem(at: second) }
        let run = ["train", "--data", Self.sample, "--hidden", "48", "--epochs", "1", "--limit", "500",
                   "--batch-size", "50", "--json"]
        let a = try Self.metrics(try runCLI(run + ["--threads", "1", "--out", first.path]))
        let b = try Self.metrics(try runCLI(run + ["--threads", "2", "--out", second.path]))
        #expect(a.epochs == b.epochs)
    }

    @Test func ctrlCSavesACheckpointAndResumeFinishesTheRun() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        // Interrupt once the first progress line of epoch 1 appears (a quarter of the way through).
        let interrupted = try runCLI(["train"] + Self.quick + ["--out", out.path]) { $0.hasPrefix("epoch 1/2  batch") }
        #expect(interrupted.status == 130, "\(interrupted.errors)")
        #expect(interrupted.errors.contains("interrupted at epoch 1"))
        #expect(interrupted.errors.split(separator: "\n").count == 1)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("model.safetensors").path))
        let resumed = try runCLI(["train"] + Self.quick + ["--out", out.path, "--resume", "--json"])
        #expect(resumed.status == 0, "\(resumed.errors)")
        let metrics = try Self.metrics(resumed)
        #expect(metrics.epochs.map(\.epoch) == [1, 2])
        #expect(metrics.test_accuracy > 0.5)
    }
}

extension TrainCLITests {
    /// `--resume` continues with the saved run's own settings, not the defaults: a run with every setting off its
    /// default, interrupted and resumed by a bare `--resume`, ends with the same metrics as the same run
    /// uninterrupted; an option that disagrees with the saved run is refused and changes nothing.
    @Test func resumeKeepsTheRunsOwnSettings() throws {
        let whole = try temporaryFolder(), cut = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: whole); try? FileManager.default.removeItem(at: cut) }
        let run = ["train", "--data", Self.sample, "--hidden", "12,8", "--epochs", "2", "--limit", "1000",
                   "--batch-size", "40", "--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.5",
                   "--weight-decay", "0.001", "--schedule", "cosine", "--seed", "3", "--threads", "1"]
        let expected = try Self.metrics(try runCLI(run + ["--out", whole.path, "--json"]))

        let interrupted = try runCLI(run + ["--out", cut.path]) { $0.hasPrefix("epoch 1/2  batch") }
        #expect(interrupted.status == 130, "\(interrupted.errors)")
        let refused = try runCLI(["train", "--data", Self.sample, "--out", cut.path, "--resume", "--lr", "0.1"])
        #expect(refused.status != 0)
        #expect(refused.errors.contains("--lr 0.1 differs from the saved run's 0.05"), "\(refused.errors)")
        let wrongOptimizer = try runCLI(["train", "--data", Self.sample, "--out", cut.path, "--resume",
                                         "--optimizer", "adamw"])
        #expect(wrongOptimizer.errors.contains("--optimizer adamw differs from the saved run's sgd"))

        let resumed = try runCLI(["train", "--data", Self.sample, "--threads", "1", "--out", cut.path, "--resume",
                                  "--json"])
        #expect(resumed.status == 0, "\(resumed.errors)")
        #expect(resumed.stdout.contains("training: SGD lr 0.05 momentum 0.5 weight decay 0.001, cosine schedule"))
        #expect(try Self.metrics(resumed).epochs == expected.epochs)
    }

    /// A saved run resumed on other data is refused in one line, before anything is trained or written: data
    /// with another number of training images (the run would silently change course), or images its model
    /// cannot take. Without `--data`, a resumed run reads the folder it started with.
    @Test func resumeOnOtherDataIsRefused() throws {
        let out = try temporaryFolder(), data = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: data) }
        let first = try runCLI(["train", "--data", Self.sample, "--hidden", "4", "--epochs", "1", "--limit", "100",
                                "--out", out.path])
        #expect(first.status == 0, "\(first.errors)")
        /// A dataset of `count` 10×10 training images.
        func smallImages(_ name: String, count: Int) throws -> String {
            let folder = data.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for split in ["train", "t10k"] {
                try IDXArray.encode(shape: [count, 10, 10], bytes: [UInt8](repeating: 7, count: count * 100))
                    .write(to: folder.appendingPathComponent("\(split)-images-idx3-ubyte"))
                try IDXArray.encode(shape: [count], bytes: (0..<count).map { UInt8($0 % 10) })
                    .write(to: folder.appendingPathComponent("\(split)-labels-idx1-ubyte"))
            }
            return folder.path
        }
        let before = try Data(contentsOf: out.appendingPathComponent("model.safetensors"))
        for (folder, message) in [(try smallImages("fifty", count: 50), "the saved run trains on 100 images but"),
                                  (try smallImages("hundred", count: 100), "does not fit this data (100 pixels, 10 classes)")] {
            let resumed = try runCLI(["train", "--resume", "--out", out.path, "--data", folder])
            #expect(resumed.status != 0)
            #expect(resumed.errors.split(separator: "\n").count == 1, "\(resumed.errors)")
            #expect(resumed.errors.contains(message), "\(resumed.errors)")
        }
        #expect(try Data(contentsOf: out.appendingPathComponent("model.safetensors")) == before)
        let again = try runCLI(["train", "--resume", "--out", out.path])
        #expect(again.status == 0, "\(again.errors)")
        #expect(again.stdout.contains("data: \(Self.sample)"))
    }

    /// A model trained on another dataset than Fashion-MNIST is not evaluated on the default (Fashion-MNIST) data:
    /// without `--data` it is refused, naming the dataset its metadata records.
    @Test func evalOfAnotherDatasetsModelNeedsItsData() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let trained = try runCLI(["train", "--data", Self.sample, "--dataset", "mnist", "--hidden", "4", "--epochs", "1",
                                  "--limit", "100", "--out", out.path])
        #expect(trained.status == 0, "\(trained.errors)")
        let model = out.appendingPathComponent("model.safetensors").path
        let refused = try runCLI(["eval", "--model", model])
        #expect(refused.status != 0)
        #expect(refused.errors.contains("was trained on mnist: give --data"), "\(refused.errors)")
        let evaluated = try runCLI(["eval", "--model", model, "--data", Self.sample])
        #expect(evaluated.status == 0, "\(evaluated.errors)")
    }

    /// A run killed (SIGKILL) while it writes its epoch checkpoint leaves the previous checkpoint whole, and
    /// `--resume` finishes from it.
    @Test func killedMidWriteKeepsTheLastCheckpointAndResumes() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let arguments = ["train"] + Self.quick + ["--epochs", "3", "--out", out.path]
        // Kill as soon as epoch 2's summary is printed: the checkpoint of epoch 2 is being written.
        let process = try startCLI(arguments, until: "epoch  2/3  train loss")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        // Whatever was being written, the model file is a complete checkpoint of epoch 1 or 2.
        let model = try SafeTensors.readWithMetadata(out.appendingPathComponent("model.safetensors"))
        #expect(model.tensors.count == 4)
        let resumed = try runCLI(arguments + ["--resume", "--json"])
        #expect(resumed.status == 0, "\(resumed.errors)")
        #expect(try Self.metrics(resumed).epochs.map(\.epoch) == [1, 2, 3])
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: out.path)).contains { $0.contains(".tmp-") })
    }
}
