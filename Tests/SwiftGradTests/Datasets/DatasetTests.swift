import Checkpoints
import Datasets
import Foundation
import Testing
import TensorCore

/// The `Dataset` protocol's two conformances beside the MNIST loader: arrays in memory or `.npy` files, and images
/// shaped for a convolution.
@Suite struct DatasetTests {
    @Test func tensorDatasetServesRowsInTheLoadersOrder() {
        let inputs = Tensor(shape: [5, 2, 3], scalars: (0..<30).map(Float.init))
        let targets = Tensor([0.5, 1.5, 2.5, 3.5, 4.5])
        let data = TensorDataset(inputs: inputs, targets: targets)
        #expect(data.count == 5)
        let loader = DataLoader(data, batchSize: 2, shuffle: true, seed: 3)
        let order = loader.order(epoch: 1)
        let batches = Array(loader.batches(epoch: 1))
        #expect(batches.map(\.inputs.shape) == [[2, 2, 3], [2, 2, 3], [1, 2, 3]])
        #expect(batches.flatMap(\.targets.scalars) == order.map { Float($0) + 0.5 })
        #expect(batches[0].inputs.scalars == (0..<6).map { Float(order[0] * 6 + $0) } + (0..<6).map { Float(order[1] * 6 + $0) })
    }

    @Test func tensorDatasetLoadsNPYFilesAndNamesAMismatch() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (x, y, short) = (folder.appendingPathComponent("x.npy"), folder.appendingPathComponent("y.npy"),
                             folder.appendingPathComponent("short.npy"))
        try NPY.write(Tensor(shape: [4, 3], scalars: (0..<12).map(Double.init), dtype: .float64), to: x)
        try NPY.write(Tensor([1, 0, 1, 1]), to: y)
        try NPY.write(Tensor([1, 0, 1]), to: short)
        let data = try TensorDataset.load(inputs: x, targets: y)
        #expect(data.inputShape == [4, 3] && data.targetShape == [4])
        let batch = data.batch([3, 0], generator: RandomGenerator(seed: 0))
        #expect(batch.inputs.scalars == [9, 10, 11, 0, 1, 2] && batch.targets.scalars == [1, 1])
        #expect {
            try TensorDataset.load(inputs: x, targets: short)
        } throws: { error in
            "\(error)".hasSuffix("short.npy: holds targets of shape [3] for inputs of shape [4, 3] in x.npy: the first axes must match")
        }
    }

    @Test func imageDatasetShapesImagesForAConvolution() {
        let images = MNIST(pixels: (0..<24).map { UInt8($0 * 10) }, labels: [0, 1, 2, 3, 4, 5], rows: 2, columns: 2)
        let normalization = Normalization(mean: 0.1, standardDeviation: 0.3)
        let flat = ImageDataset(images, normalization: normalization)
        let shaped = ImageDataset(images, normalization: normalization, imageShape: [1, 2, 2])
        let generator = RandomGenerator(seed: 0)
        let (a, b) = (flat.batch([4, 1], generator: generator), shaped.batch([4, 1], generator: generator))
        #expect(a.inputs.shape == [2, 4] && b.inputs.shape == [2, 1, 2, 2])
        #expect(a.inputs.scalars == b.inputs.scalars && b.targets.scalars == [4, 1])
    }

    @Test func imageDatasetWithAShapeOfOtherSizeStopsNamingIt() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = ImageDataset(MNIST(pixels: [0, 0, 0, 0], labels: [0], rows: 2, columns: 2),
                             normalization: .fashionMNIST, imageShape: [1, 3, 2])
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("ImageDataset: imageShape [1, 3, 2] does not hold an image of 2×2 pixels"))
    }
}
