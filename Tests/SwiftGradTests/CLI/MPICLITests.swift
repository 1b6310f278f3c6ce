import Checkpoints
import Datasets
import Foundation
import Testing

/// The `swiftgrad` built with the MPI trait that the MPI tests run.
let mpiBinary = ProcessInfo.processInfo.environment["SWIFTGRAD_MPI_BINARY"].map { URL(fileURLWithPath: $0) }

/// `swiftgrad train` under a real `mpirun` (Open MPI), run when `SWIFTGRAD_MPI_BINARY` names a `swiftgrad` built with
/// `--traits MPI` (CI builds one and sets it; `swift test` alone has no MPI build to run).
@Suite(.serialized, .enabled(if: mpiBinary != nil, "SWIFTGRAD_MPI_BINARY names no MPI build"))
struct MPICLITests {
    static let binary = mpiBinary
    static let mpirun = URL(fileURLWithPath: "/usr/bin/mpirun")
    static let sample = DataSource.embeddedSample.directory.path
    /// 1280 images in global batches of 64: 20 optimizer steps an epoch.
    static let twentySteps = ["train", "--data", sample, "--hidden", "16", "--epochs", "1", "--limit", "1280",
                              "--batch-size", "64", "--threads", "1"]

    /// `mpirun -np N swiftgrad arguments` (as root, with more processes than cores allowed).
    /// The interrupt is SIGTERM, as `mpirun` passes Ctrl-C on to the ranks.
    static func mpi(_ processes: Int, _ arguments: [String], interruptWhen: ((String) -> Bool)? = nil) throws -> CLIResult {
        try runCLI(["--allow-run-as-root", "--oversubscribe", "-np", String(processes), binary!.path] + arguments,
                   executable: mpirun, signal: SIGTERM, interruptWhen: interruptWhen)
    }

    /// The relative difference of two checkpoints, tensor by tensor: ‖a − b‖ / ‖b‖, the largest over the tensors.
    static func difference(_ a: URL, _ b: URL) throws -> Double {
        let (x, y) = (try SafeTensors.read(a), try SafeTensors.read(b))
        #expect(Set(x.keys) == Set(y.keys))
        return y.keys.map { name in
            let (p, q) = (x[name]!.scalars, y[name]!.scalars)
            let error = zip(p, q).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot()
            let size = q.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            return error / Swift.max(size, 1e-30)
        }.max() ?? 0
    }

    /// Two processes with global batch B end 20 optimizer steps with the parameters of one process with batch B:
    /// the data order and the averaged gradients are the same, only the order of summation differs.
    @Test func twoProcessesMatchOneAfterTwentySteps() throws {
        let one = try temporaryFolder(), two = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: one); try? FileManager.default.removeItem(at: two) }
        let single = try runCLI(Self.twentySteps + ["--out", one.path, "--json"], executable: Self.binary)
        #expect(single.status == 0, "\(single.errors)")
        let double = try Self.mpi(2, Self.twentySteps + ["--out", two.path, "--json"])
        #expect(double.status == 0, "\(double.errors)")
        #expect(double.stdout.contains("processes: 2 (MPI), batches of 64 split between them"))
        #expect(double.stdout.contains("all-reduce:") && double.stdout.components(separatedBy: "confusion matrix").count == 2)
        let distance = try Self.difference(two.appendingPathComponent("model.safetensors"), one.appendingPathComponent("model.safetensors"))
        #expect(distance < 1e-5, "relative difference \(distance)")
        let (a, b) = (try TrainCLITests.metrics(single), try TrainCLITests.metrics(double))
        #expect(Swift.abs(a.epochs[0].train_loss - b.epochs[0].train_loss) < 1e-5 * a.epochs[0].train_loss)
        #expect(Swift.abs(a.test_accuracy - b.test_accuracy) <= 0.002)
    }

    /// Ctrl-C on `mpirun` stops every rank at the same step; rank 0 alone saves, once; `--resume` then continues
    /// the run in one process (another world size) to its end.
    @Test func interruptSavesOnceAndResumesInAnotherWorldSize() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        // Long enough (epochs of 100 small batches) that the interrupt lands while it trains; not in its first
        // second, when Open MPI 4.1's mpirun answers a signal by killing the ranks outright.
        let run = ["train", "--data", Self.sample, "--hidden", "16", "--epochs", "300", "--batch-size", "10",
                   "--threads", "1", "--out", out.path]
        let started = Date()
        let interrupted = try Self.mpi(2, run) { $0.hasPrefix("epoch") && Date().timeIntervalSince(started) > 2 }
        #expect(interrupted.status != 0)
        #expect(interrupted.errors.components(separatedBy: "interrupted at epoch").count == 2, "\(interrupted.errors)")
        let resumed = try runCLI(run + ["--resume", "--json"], executable: Self.binary)
        #expect(resumed.status == 0, "\(resumed.errors)")
        #expect(try TrainCLITests.metrics(resumed).epochs.map(\.epoch) == Array(1...300))
    }

    /// Ranks started with different settings are refused before training, in one line naming the difference.
    @Test func ranksThatDisagreeAreRefused() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let base = Self.twentySteps + ["--out", out.path]
        let result = try runCLI(["--allow-run-as-root", "--oversubscribe", "-np", "1", Self.binary!.path] + base + ["--lr", "0.01", ":",
                                 "-np", "1", Self.binary!.path] + base + ["--lr", "0.02"], executable: Self.mpirun)
        #expect(result.status != 0)
        let lines = result.errors.split(separator: "\n").filter { $0.hasPrefix("swiftgrad:") }
        #expect(lines == ["swiftgrad: rank 1 disagrees with rank 0 on the setting learningRate: 0.02 here, 0.01 on rank 0; start every process with the same build and options"],
                "\(result.errors)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("model.safetensors").path))
    }

    /// A loss that stops being finite stops every rank at the same step, reported once; a CNN trains the same way.
    @Test func aNonFiniteLossStopsEveryRankAndACNNTrains() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let diverging = try Self.mpi(2, ["train", "--data", Self.sample, "--hidden", "8", "--limit", "200", "--optimizer", "sgd",
                                         "--schedule", "constant", "--lr=1e30", "--threads", "1", "--out", out.path])
        #expect(diverging.status != 0)
        #expect(diverging.errors.components(separatedBy: "the loss became").count == 2, "\(diverging.errors)")
        let cnn = try Self.mpi(2, ["train", "--arch", "cnn", "--channels", "2,4", "--hidden", "8", "--data", Self.sample,
                                   "--limit", "200", "--epochs", "1", "--batch-size", "50", "--threads", "1", "--out", out.path, "--json"])
        #expect(cnn.status == 0, "\(cnn.errors)")
        #expect(try TrainCLITests.metrics(cnn).epochs.count == 1)
        #expect(cnn.stdout.components(separatedBy: "confusion matrix").count == 2)
        // Each rank keeps its own batch-norm statistics; rank 0's are saved.
        #expect(try SafeTensors.read(out.appendingPathComponent("model.safetensors"))["1.running_mean"]?.shape == [2])
    }

    /// A rank that fails ends the whole job within seconds, saying which rank and why.
    @Test func aFailingRankEndsTheJob() throws {
        let started = Date()
        let result = try runCLI(["--allow-run-as-root", "--oversubscribe", "-np", "1", Self.binary!.path] + Self.twentySteps
                                + ["--out", "/tmp/swiftgrad-mpi-unused", ":", "-np", "1", Self.binary!.path, "train", "--data",
                                   "/nonexistent/folder", "--out", "/tmp/swiftgrad-mpi-unused"], executable: Self.mpirun)
        #expect(result.status != 0)
        #expect(result.errors.contains("swiftgrad: rank 1 of 2: /nonexistent/folder: no such folder"), "\(result.errors)")
        #expect(Date().timeIntervalSince(started) < 30)
    }

    /// A rank killed in the middle of an epoch ends the job within seconds; the last checkpoint on disk is whole
    /// and resumes.
    @Test func aKilledRankEndsTheJobAndLeavesTheCheckpointWhole() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let run = ["train", "--data", Self.sample, "--hidden", "32", "--epochs", "400", "--batch-size", "10",
                   "--threads", "1", "--out", out.path]
        let process = try startCLI(["--allow-run-as-root", "--oversubscribe", "-np", "2", Self.binary!.path] + run,
                                   executable: Self.mpirun, until: "epoch 2/400  batch")
        let victim = try #require(Self.rank(1, of: out.path), "rank 1's process not found")
        let killed = Date()
        kill(victim, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(Date().timeIntervalSince(killed) < 20)
        let model = try SafeTensors.read(out.appendingPathComponent("model.safetensors"))
        #expect(model.count == 4)
        let resumed = try runCLI(["train", "--resume", "--epochs", "400", "--out", out.path, "--data", Self.sample, "--threads", "1"],
                                 executable: Self.binary) { $0.hasPrefix("epoch 2/400  batch") || $0.hasPrefix("epoch 3/400  batch") }
        #expect(resumed.stdout.contains("resuming at epoch 2"), "\(resumed.stdout.prefix(2000))")
    }

    /// The process id of MPI rank `rank` of the job writing to `folder`.
    static func rank(_ rank: Int, of folder: String) -> pid_t? {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry),
                  let command = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(entry)/cmdline")),
                  String(decoding: command, as: UTF8.self).contains(folder),
                  let environment = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(entry)/environ")),
                  String(decoding: environment, as: UTF8.self).split(separator: "\0").contains("OMPI_COMM_WORLD_RANK=\(rank)")
            else { continue }
            return pid
        }
        return nil
    }
}
