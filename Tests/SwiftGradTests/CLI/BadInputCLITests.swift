import Checkpoints
import Datasets
import Foundation
import Testing

/// Bad input anywhere gives one line on standard error and a non-zero exit: never a crash, a stack trace or a
/// partial output file.
@Suite(.serialized) struct BadInputCLITests {
    /// A folder of fixtures for the table: corrupt and mismatched files, made once.
    static let folder: URL = {
        let folder = try! temporaryFolder()
        let write = { (name: String, data: Data) in try! data.write(to: folder.appendingPathComponent(name)) }
        // A dataset folder whose images file is truncated.
        let truncated = folder.appendingPathComponent("truncated")
        try! FileManager.default.createDirectory(at: truncated, withIntermediateDirectories: true)
        try! IDXArray.encode(shape: [10, 28, 28], bytes: [UInt8](repeating: 1, count: 7840)).prefix(100)
            .write(to: truncated.appendingPathComponent("train-images-idx3-ubyte"))
        try! IDXArray.encode(shape: [10], bytes: [UInt8](repeating: 1, count: 10))
            .write(to: truncated.appendingPathComponent("train-labels-idx1-ubyte"))
        // A dataset folder whose labels file has a bad magic number, and gzip garbage as images.
        let corrupt = folder.appendingPathComponent("corrupt")
        try! FileManager.default.createDirectory(at: corrupt, withIntermediateDirectories: true)
        try! Data([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0x07, 0, 0]).write(to: corrupt.appendingPathComponent("train-images-idx3-ubyte.gz"))
        try! Data("not idx".utf8).write(to: corrupt.appendingPathComponent("train-labels-idx1-ubyte"))
        // A Fashion-MNIST-format folder in which training label 7 is 12, outside the 10 classes.
        let label12 = folder.appendingPathComponent("label-12")
        try! FileManager.default.createDirectory(at: label12, withIntermediateDirectories: true)
        try! IDXArray.encode(shape: [10, 28, 28], bytes: [UInt8](repeating: 1, count: 7840))
            .write(to: label12.appendingPathComponent("train-images-idx3-ubyte"))
        try! IDXArray.encode(shape: [10], bytes: [0, 1, 2, 3, 4, 5, 6, 12, 8, 9])
            .write(to: label12.appendingPathComponent("train-labels-idx1-ubyte"))
        write("garbage.safetensors", Data([1, 0, 0, 0, 0, 0, 0, 0, 123]))
        write("truncated.safetensors", Data([200, 0, 0, 0, 0, 0, 0, 0] + Array("{\"a\":".utf8)))
        // A valid checkpoint for 100-pixel images: shapes that do not fit 784-pixel data.
        var header = #"{"0.weight":{"dtype":"F32","shape":[4,100],"data_offsets":[0,1600]},"0.bias":{"dtype":"F32","shape":[4],"data_offsets":[1600,1616]},"2.weight":{"dtype":"F32","shape":[10,4],"data_offsets":[1616,1776]},"2.bias":{"dtype":"F32","shape":[10],"data_offsets":[1776,1816]}}"#
        while header.utf8.count % 8 != 0 { header += " " }
        var checkpoint = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { checkpoint.append(contentsOf: $0) }
        checkpoint.append(Data(header.utf8))
        checkpoint.append(Data(count: 1816))
        write("small-input.safetensors", checkpoint)
        write("unreadable.safetensors", checkpoint)
        chmod(folder.appendingPathComponent("unreadable.safetensors").path, 0)
        // A run folder whose training state an earlier build wrote, without the run's settings.
        let oldRun = folder.appendingPathComponent("old-run")
        try! FileManager.default.createDirectory(at: oldRun, withIntermediateDirectories: true)
        try! SafeTensors.write([:], to: oldRun.appendingPathComponent("training-state.safetensors"),
                               metadata: ["swiftgrad.training": #"{"sizes":[784,16,10],"optimizer":"adamw","epoch":1}"#])
        return folder
    }()

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    static let cases: [(arguments: [String], message: String)] = [
        (["train", "--epochs", "0"], "--epochs must be at least 1"),
        (["train", "--optimizer", "rmsprop"], "--optimizer must be sgd, adam or adamw"),
        (["train", "--hidden", "12,x"], "--hidden must be positive sizes"),
        (["train", "--lr=-1"], "--lr must be positive"),
        (["train", "--momentum", "0.5"], "--momentum applies to --optimizer sgd only (this run's optimizer is adamw)"),
        (["train", "--optimizer", "sgd", "--momentum", "1"], "--momentum must be at least 0 and under 1"),
        (["train", "--resume", "--out", path("no-run")], "no run to resume"),
        (["train", "--resume", "--out", path("old-run")], "no training state in its metadata that this version of SwiftGrad can read"),
        (["train", "--dataset", "kmnist"], "--dataset kmnist needs --data, a folder of its files"),
        (["train", "--epochs", "many"], "epochs"),
        (["train", "--bogus"], "Unknown option '--bogus'"),
        (["frobnicate"], "Unexpected argument 'frobnicate'"),
        (["train", "--data", "/nonexistent/folder"], "/nonexistent/folder: no such folder"),
        (["train", "--data", path("truncated")], "file holds 84 data bytes, dimensions [10, 28, 28] need 7840"),
        (["train", "--data", path("corrupt")], "corrupt gzip data"),
        (["train", "--data", path("label-12")],
         "label-12/train-labels-idx1-ubyte: label 12 at index 7 is not one of the 10 classes (0...9)"),
        (["train", "--hidden", "100000000"], "the model 784 → 100000000 → 10 (7.95e+10 parameters) needs about 1.5 TB"),
        (["eval", "--model", "/nonexistent.safetensors"], "no such file"),
        (["eval", "--model", path("garbage.safetensors")], "header is not a JSON object"),
        (["eval", "--model", path("truncated.safetensors")], "runs past the end"),
        (["eval", "--model", path("small-input.safetensors"), "--data", DataSource.embeddedSample.directory.path],
         "takes 100 inputs but the images have 784 pixels"),
        (["predict", "--model", Bundle.module.path(forResource: "torch_mlp", ofType: "safetensors", inDirectory: "Resources")!,
          "--data", DataSource.embeddedSample.directory.path, "--index", "99999"], "--index must be in 0..<1000"),
        (["train", "--data", DataSource.embeddedSample.directory.path, "--out", "/proc/swiftgrad-run"],
         "cannot create the output folder"),
        (["download", "cifar", "--to", "/tmp/x"], "unknown dataset 'cifar'"),
        (["train", "--data", DataSource.embeddedSample.directory.path, "--hidden", "8", "--limit", "200",
          "--optimizer", "sgd", "--schedule", "constant", "--lr=1e30", "--out", path("diverging")],
         "the loss became"),
        (["bench", "gemm", "--sizes", "12x"], "is not a size N or a shape MxKxN"),
        (["bench", "gemm", "--shapes", "mlp,resnet"], "--shapes: no model or file 'resnet'"),
        (["bench", "gemm", "--shapes", "/proc/swiftgrad-shapes"], "--shapes: no model or file '/proc/swiftgrad-shapes'"),
        (["bench", "inference", "--sizes", "784"], "--sizes must be at least 2 positive integers"),
        (["bench", "inference", "--batches", "0,3"], "--batches must be positive integers"),
        (["bench", "conv", "--batch", "0"], "--batch must be at least 1"),
        (["train", "--augment", "rotate"], "--augment takes flip and crop, comma-separated, got 'rotate'"),
    ]

    @Test(arguments: cases.indices)
    func badInputGivesOneLineAndAFailureStatus(_ index: Int) throws {
        let (arguments, message) = Self.cases[index]
        let result = try runCLI(arguments)
        #expect(result.status != 0, "\(arguments)")
        let lines = result.errors.split(separator: "\n")
        #expect(lines.count == 1, "\(arguments): \(result.errors)")
        #expect(result.errors.contains(message), "\(arguments): \(result.errors)")
        #expect(result.errors.hasPrefix("swiftgrad: "), "\(arguments)")
    }

    @Test func unreadableFileIsReportedAsSuch() throws {
        // Root reads files whatever their permissions; then there is nothing to check.
        guard getuid() != 0 else { return }
        let result = try runCLI(["eval", "--model", Self.path("unreadable.safetensors")])
        #expect(result.status != 0)
        #expect(result.errors.contains("cannot read the file"))
    }
}
