import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad eval`: accuracy and confusion matrix of a saved classifier on a test set.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Test accuracy and confusion matrix of a model.safetensors (SwiftGrad's, or PyTorch's nn.Sequential of Linear and ReLU)."
    )

    @Option(help: "The model file (.safetensors).")
    var model: String

    @Option(help: "Folder with the dataset's IDX files (default: as for train).")
    var data: String?

    @Option(help: "Class names: fashion-mnist, mnist or kmnist (default: the model's metadata, else fashion-mnist).")
    var dataset: String?

    @Flag(help: "Print {\"test_accuracy\": …} as the last line.")
    var json = false

    func run() throws {
        let (network, normalization, savedDataset) = try ModelFile.load(URL(fileURLWithPath: model))
        let test = try DataSource.resolve(data: data).load(.test)
        let sizes = try Sequential.multilayerPerceptronSizes(of: network.stateDict())
        guard sizes.first == test.imageSize else {
            throw CheckpointError(path: model, problem: "takes \(sizes.first ?? 0) inputs but the images have \(test.imageSize) pixels")
        }
        let classes = sizes.last ?? 10
        let name = dataset ?? savedDataset ?? "fashion-mnist"
        let evaluation = Evaluation(model: network, dataset: test, normalization: normalization, classes: classes)
        print(evaluation.table(classNames: classNames(dataset: name, classes: classes)))
        print(String(format: "\ntest accuracy %.4f, test loss %.4f (%d images)", evaluation.accuracy, evaluation.loss, test.count))
        if json { print("{\"test_accuracy\": \(evaluation.accuracy)}") }
    }
}
