import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad eval`: accuracy and confusion matrix of a saved classifier on a test set.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Test accuracy and confusion matrix of a model.safetensors (SwiftGrad's, or PyTorch's nn.Sequential of Linear and ReLU)."
    )

    @OptionGroup var options: ModelOptions

    @Flag(help: "Print {\"test_accuracy\": …} as the last line.")
    var json = false

    func run() throws {
        let (network, spec, normalization, test, names, source) = try options.load()
        print("data: \(source)\n")
        let evaluation = ClassificationReport(model: network, data: spec.evaluationLoader(test, normalization: normalization),
                                              classes: names.count)
        print(evaluation.table(classNames: names))
        print(String(format: "\ntest accuracy %.4f, test loss %.4f (%d images)", evaluation.accuracy, evaluation.loss, test.count))
        if json { print("{\"test_accuracy\": \(evaluation.accuracy)}") }
    }
}
