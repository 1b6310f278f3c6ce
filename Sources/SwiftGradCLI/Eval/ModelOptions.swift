import ArgumentParser
import Foundation
import SwiftGrad

/// `--model`, `--data`, `--dataset` and `--weights`: a saved classifier and the test set to run it on.
struct ModelOptions: ParsableArguments {
    @Option(help: "The model file (.safetensors): SwiftGrad's, or PyTorch's nn.Sequential of Linear and ReLU (or the --arch cnn network).")
    var model: String

    @Option(help: "mlp or cnn, for a checkpoint that does not say (PyTorch's). (default: the checkpoint's metadata, else mlp)")
    var arch: ClassifierArchitecture?

    @Option(help: "Folder with the dataset's IDX files (default: as for train).")
    var data: String?

    @Option(help: "Class names: fashion-mnist, mnist or kmnist (default: the model's metadata, else fashion-mnist).")
    var dataset: String?

    @OptionGroup var weights: WeightsOption

    /// The model, its normalisation, the test set and the class names, after checking that the model takes the
    /// test images' pixels. A model trained on another dataset than the default source's Fashion-MNIST (its
    /// metadata says which) needs `--data`: on Fashion-MNIST it would score as if it had learnt nothing.
    func load() throws -> (network: Sequential, spec: ClassifierSpec, normalization: Normalization, test: MNIST,
                           classNames: [String], source: DataSource) {
        let source = DataSource.resolve(data: data)
        let test = try source.load(.test)
        let (network, spec, normalization, savedDataset) = try ModelFile.load(
            URL(fileURLWithPath: model), architecture: arch, imageSize: Size2D(test.rows, test.columns))
        if data == nil, let savedDataset, savedDataset != "fashion-mnist" {
            throw ValidationError("\(model) was trained on \(savedDataset): give --data a folder of its test files (without it, the data is Fashion-MNIST)")
        }
        if spec.architecture == .mlp, spec.sizes.first != test.imageSize {
            throw CheckpointError(path: model, problem: "takes \(spec.sizes.first ?? 0) inputs but the images have \(test.imageSize) pixels")
        }
        weights.apply(to: network)
        let names = classNames(dataset: dataset ?? savedDataset ?? "fashion-mnist", classes: spec.classes)
        return (network, spec, normalization, test, names, source)
    }
}
