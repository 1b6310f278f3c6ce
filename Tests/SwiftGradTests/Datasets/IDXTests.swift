import Datasets
import Foundation
import Testing
@testable import TensorCore

@Suite struct IDXTests {
    /// gzip-compressed `data`, made with the gzip tool.
    static func gzip(_ data: Data) throws -> Data {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("x")
        try data.write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-n", file.path]
        try process.run()
        process.waitUntilExit()
        return try Data(contentsOf: folder.appendingPathComponent("x.gz"))
    }

    @Test func readsRawAndGzipIDX() throws {
        let pixels = (0..<(3 * 2 * 2)).map { UInt8($0 * 10) }
        let raw = IDXArray.encode(shape: [3, 2, 2], bytes: pixels)
        for data in [raw, try Self.gzip(raw)] {
            let array = try IDXArray.decode(data, path: "x")
            #expect(array.shape == [3, 2, 2])
            #expect(array.bytes == pixels)
        }
    }

    @Test(arguments: [
        (Data([1, 2]), "bad magic number"),
        (Data([0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0]), "element type 0x0D is not supported"),
        (Data([0, 0, 8, 9]), "rank 9 is not 1 to 4"),
        (Data([0, 0, 8, 2, 0, 0]), "too short for its 2 dimensions"),
        (Data([0, 0, 8, 1, 0, 0, 0, 0]), "dimension 0 is 0"),
        (Data([0, 0, 8, 1, 0, 0, 0, 5, 1, 2, 3]), "holds 3 data bytes, dimensions [5] need 5"),
        (Data([0, 0, 8, 3, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1]), "exceed the"),
        (Data([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0x07, 0, 0, 0, 0]), "corrupt gzip data (invalid block type)"),
    ])
    func corruptFilesNameTheProblem(_ data: Data, _ problem: String) {
        #expect {
            _ = try IDXArray.decode(data, path: "bad.idx")
        } throws: { error in
            guard let error = error as? DatasetError else { return false }
            return error.path == "bad.idx" && error.problem.contains(problem)
        }
    }

    @Test func truncatedGzipAndOversizedPayloadAreRejected() throws {
        let raw = IDXArray.encode(shape: [100, 28, 28], bytes: [UInt8](repeating: 7, count: 78_400))
        let compressed = try Self.gzip(raw)
        #expect(throws: DatasetError.self) { try IDXArray.decode(compressed.prefix(compressed.count / 2), path: "half.gz") }
        // A header announcing 4 bytes followed by a megabyte of zeros: decompression stops at the declared size.
        var bomb = IDXArray.encode(shape: [4], bytes: [1, 2, 3, 4])
        bomb.append(Data(count: 1 << 20))
        #expect {
            _ = try IDXArray.decode(try Self.gzip(bomb), path: "bomb.gz")
        } throws: { error in
            "\(error)".contains("decompresses to more than the 12 bytes its header declares")
        }
    }

    @Test func mnistLoaderAndDataLoaderOnFilesMadeHere() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let count = 10
        let pixels = (0..<(count * 4)).map { UInt8($0 % 256) }
        try Self.gzip(IDXArray.encode(shape: [count, 2, 2], bytes: pixels))
            .write(to: folder.appendingPathComponent("train-images-idx3-ubyte.gz"))
        try IDXArray.encode(shape: [count], bytes: (0..<count).map { UInt8($0 % 3) })
            .write(to: folder.appendingPathComponent("train-labels-idx1-ubyte"))
        let dataset = try MNIST.load(from: folder, split: .train)
        #expect(dataset.count == count && dataset.rows == 2 && dataset.classCount == 10)
        #expect(try MNIST.load(from: folder, split: .train, classCount: 3).classCount == 3)
        #expect(dataset.prefix(4).labels == [0, 1, 2, 0] && dataset.prefix(4).pixels.count == 16)
        #expect {
            try MNIST.load(from: folder, split: .train, classCount: 2)
        } throws: { error in
            "\(error)".hasSuffix("train-labels-idx1-ubyte: label 2 at index 2 is not one of the 2 classes (0...1)")
        }

        let normalization = Normalization(mean: 0.5, standardDeviation: 0.25)
        let loader = DataLoader(dataset, batchSize: 4, shuffle: false, normalization: normalization)
        let batches = Array(loader.batches())
        #expect(batches.map(\.inputs.shape) == [[4, 4], [4, 4], [2, 4]])
        // Pixel 1 of image 0: (1 / 255 − 0.5) / 0.25.
        #expect(Swift.abs(batches[0].inputs.scalars[1] - Float((1.0 / 255 - 0.5) / 0.25)) < 1e-6)
        #expect(batches[2].targets.scalars == [2, 0])

        let shuffled = DataLoader(dataset, batchSize: 3, shuffle: true, dropLast: true, seed: 7, normalization: normalization)
        #expect(shuffled.batchCount == 3)
        #expect(Array(shuffled.batches(epoch: 0)).count == 3)
        #expect(shuffled.order(epoch: 0) == shuffled.order(epoch: 0))
        #expect(shuffled.order(epoch: 0) != shuffled.order(epoch: 1))
        #expect(shuffled.order(epoch: 0).sorted() == Array(0..<count))

        #expect {
            _ = try MNIST.load(from: folder, split: .test)
        } throws: { error in
            "\(error)".contains("t10k-images-idx3-ubyte.gz: no such file")
        }
        #expect {
            _ = try MNIST.load(from: folder.appendingPathComponent("missing"), split: .train)
        } throws: { error in
            "\(error)".contains("no such folder")
        }
    }

    @Test func embeddedSampleLoads() throws {
        let train = try DataSource.embeddedSample.load(.train)
        let test = try DataSource.embeddedSample.load(.test)
        #expect(train.count == 6000 && test.count == 1000 && train.imageSize == 784 && train.classCount == 10)
        let statistics = Normalization.of(train)
        #expect(Swift.abs(statistics.mean - Normalization.fashionMNIST.mean) < 0.01)
        #expect(Swift.abs(statistics.standardDeviation - Normalization.fashionMNIST.standardDeviation) < 0.01)
    }
}
