import ArgumentParser
import Foundation
import SwiftGrad

/// `--model`, `--data` and `--dataset`: a saved classifier and the test set to run it on.
struct ModelOptions: ParsableArguments {
    @Option(help: "The model file (.safetensors): SwiftGrad's, or PyTorch's nn.Sequential of Linear and ReLU.")
    var model: String

    @Option(help: "Folder with the dataset's IDX files (default: as for train).")
    var data: String?

    @Option(help: "Class names: fashion-mnist, mnist or kmnist (default: the model's metadata, else fashion-mnist).")
    var dataset: String?

    /// The model, its normalisation, the test set and the class names, after checking that the model takes the
    /// test images' pixels. A model trained on another dataset than the default source's Fashion-MNIST (its
    /// metadata says which) needs `--data`: on Fashion-MNIST it would score as if it had learnt nothing.
    func load() throws -> (network: Sequential, normalization: Normalization, test: MNIST, classNames: [String],
                           source: DataSource) {
        let (network, normalization, savedDataset) = try ModelFile.load(URL(fileURLWithPath: model))
        if data == nil, let savedDataset, savedDataset != "fashion-mnist" {
            throw ValidationError("\(model) was trained on \(savedDataset): give --data a folder of its test files (without it, the data is Fashion-MNIST)")
        }
        let source = DataSource.resolve(data: data)
        let test = try source.load(.test)
        let sizes = try Sequential.multilayerPerceptronSizes(of: network.stateDict())
        guard sizes.first == test.imageSize else {
            throw CheckpointError(path: model, problem: "takes \(sizes.first ?? 0) inputs but the images have \(test.imageSize) pixels")
        }
        let names = classNames(dataset: dataset ?? savedDataset ?? "fashion-mnist", classes: sizes.last ?? 10)
        return (network, normalization, test, names, source)
    }
}
