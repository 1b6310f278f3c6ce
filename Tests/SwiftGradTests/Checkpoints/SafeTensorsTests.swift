import Checkpoints
import Foundation
import NN
import Testing
@testable import TensorCore

@Suite struct SafeTensorsTests {
    static var torchCheckpoint: URL {
        Bundle.module.url(forResource: "torch_mlp", withExtension: "safetensors", subdirectory: "Resources")!
    }

    // 784- and 50-long float32 dot products in another order than PyTorch's: 1e-4 relative, 1e-5 absolute.
    @Test func pytorchCheckpointReproducesItsLogits() throws {
        let model = Sequential { Linear(784, 50); ReLU(); Linear(50, 10) }
        try model.loadStateDict(try SafeTensors.read(Self.torchCheckpoint))
        let expected = try Fixture("torch_mlp_expected")
        assertClose(model(try expected.tensor("x")), try expected.tensor("logits"), relative: 1e-4, absolute: 1e-5)
        #expect(try SafeTensors.readWithMetadata(Self.torchCheckpoint).metadata == ["format": "pt"])
    }

    @Test func writeThenReadRoundTripsExactly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.safetensors")
        let tensors = ["a": Tensor.randn([3, 5]), "b": Tensor([1.5, -2], dtype: .float64), "scalar": Tensor(scalar: 7)]
        try SafeTensors.write(tensors, to: url, metadata: ["epoch": "3"])
        let (read, metadata) = try SafeTensors.readWithMetadata(url)
        #expect(metadata == ["epoch": "3"])
        for (name, tensor) in tensors {
            #expect(read[name]?.shape == tensor.shape)
            #expect(read[name]?.dtype == tensor.dtype)
            #expect(read[name]?.elements(as: Double.self) == tensor.elements(as: Double.self))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.safetensors"])
    }

    /// A file with header `json` (a tensor's data is `dataBytes` zero bytes).
    static func file(_ json: String, dataBytes: Int = 0) -> Data {
        var data = Data()
        withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(Data(json.utf8))
        data.append(Data(count: dataBytes))
        return data
    }

    @Test func convertsHalfIntegerAndBoolTypes() throws {
        var data = Self.file(#"{"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"i":{"dtype":"I64","shape":[1],"data_offsets":[6,14]},"m":{"dtype":"BOOL","shape":[2],"data_offsets":[14,16]}}"#)
        for half: UInt16 in [0x3C00, 0xC000, 0x0001] { withUnsafeBytes(of: half.littleEndian) { data.append(contentsOf: $0) } }
        withUnsafeBytes(of: Int64(-42).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: [1, 0])
        let tensors = try SafeTensors.decode(data).tensors
        #expect(tensors["h"]?.scalars == [1, -2, 0x1p-24])
        #expect(tensors["i"]?.scalars == [-42])
        #expect(tensors["m"]?.scalars == [1, 0])
    }

    @Test(arguments: [
        ("short", Data([1, 2, 3]), "shorter than the 8-byte header length"),
        ("huge header", Data([0, 0, 0, 0, 0, 0, 0, 1]), "exceeds the"),
        ("header past end", SafeTensorsTests.file("{}").prefix(9), "runs past the end"),
        ("not json", SafeTensorsTests.file("{not json"), "header is not a JSON object"),
        ("array", SafeTensorsTests.file("[1]"), "header is not a JSON object"),
        ("bad dtype", SafeTensorsTests.file(#"{"w":{"dtype":"Q8","shape":[1],"data_offsets":[0,1]}}"#, dataBytes: 1), "tensor 'w': unsupported dtype Q8"),
        ("negative shape", SafeTensorsTests.file(#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, dataBytes: 4), "shape is not a list"),
        ("size mismatch", SafeTensorsTests.file(#"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,12]}}"#, dataBytes: 12), "hold 12 bytes, dtype F32 shape [2, 3] needs 24"),
        ("out of range", SafeTensorsTests.file(#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, dataBytes: 8), "lie outside the 8-byte data section"),
        ("overflow", SafeTensorsTests.file(#"{"w":{"dtype":"F32","shape":[1000000000000000,100000],"data_offsets":[0,16]}}"#, dataBytes: 16), "too large"),
        ("overlap", SafeTensorsTests.file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, dataBytes: 12), "data overlaps tensor 'a'"),
        ("missing offsets", SafeTensorsTests.file(#"{"w":{"dtype":"F32","shape":[1]}}"#, dataBytes: 4), "data_offsets is not a pair"),
    ])
    func hostileFilesAreRejectedWithTheirProblem(_ name: String, _ data: Data, _ problem: String) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sg-\(UUID().uuidString).safetensors")
        try data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        // From memory, and from the file as it is memory-mapped.
        for (source, decode) in [("bad.safetensors", { _ = try SafeTensors.decode(data, path: "bad.safetensors") }),
                                 (url.path, { _ = try SafeTensors.read(url) })] {
            do {
                try decode()
                Issue.record("\(name): decoded without error")
            } catch let error as CheckpointError {
                #expect(error.description.contains(problem), "\(name): \(error)")
                #expect(error.description.hasPrefix(source + ": "))
                #expect(!error.description.contains("\n"))
            } catch {
                Issue.record("\(name): unexpected error \(error)")
            }
        }
    }

    @Test func missingFileFolderEmptyFileAndUnwritableFolderAreThrown() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("sg-\(UUID().uuidString).safetensors")
        try Data().write(to: empty)
        defer { try? FileManager.default.removeItem(at: empty) }
        for (url, problem) in [(URL(fileURLWithPath: "/nonexistent/x.safetensors"), "cannot read the file (no such file)"),
                               (FileManager.default.temporaryDirectory, "cannot read the file (not a regular file)"),
                               (empty, "file is 0 bytes, shorter than the 8-byte header length")] {
            #expect(throws: CheckpointError(path: url.path, problem: problem)) { try SafeTensors.read(url) }
        }
        #expect(throws: CheckpointError.self) {
            try SafeTensors.write(["a": Tensor([1])], to: URL(fileURLWithPath: "/nonexistent/dir/x.safetensors"))
        }
    }
}
