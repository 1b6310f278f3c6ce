import Foundation
import SwiftGrad

/// Accuracy, mean loss and confusion matrix of a classifier on a dataset.
struct Evaluation {
    let accuracy: Double
    let loss: Double
    /// `confusion[actual][predicted]`.
    let confusion: [[Int]]

    /// Runs `model` (in evaluation mode, then back in its previous mode) on every image of `dataset`, shaped as
    /// `spec` says.
    init(model: Module, spec: ModelSpec, dataset: MNIST, normalization: Normalization, classes: Int) {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        // Batches of at most 1000 images whose activations take about 64 MB: a CNN's are large per image.
        let batchSize = Swift.max(1, Swift.min(1000, Int(16e6 / spec.footprint.activationsPerImage)))
        let loader = DataLoader(dataset, batchSize: batchSize, normalization: normalization)
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        var lossSum = 0.0
        withoutGradient {
            for (images, labels) in loader.batches() {
                let logits = model(spec.input(images))
                lossSum += Double(crossEntropy(logits: logits, targets: labels, reduction: .sum).item())
                for (predicted, actual) in zip(logits.argmax(axis: 1).scalars, labels.scalars) {
                    confusion[Int(actual)][Int(predicted)] += 1
                }
            }
        }
        let correct = (0..<classes).reduce(0) { $0 + confusion[$1][$1] }
        accuracy = Double(correct) / Double(Swift.max(dataset.count, 1))
        loss = lossSum / Double(Swift.max(dataset.count, 1))
        self.confusion = confusion
    }

    /// The confusion matrix with class names, rows actual, columns predicted.
    func table(classNames: [String]) -> String {
        let names = confusion.indices.map { $0 < classNames.count ? classNames[$0] : "class \($0)" }
        let width = Swift.max(5, (confusion.joined().map { String($0).count }.max() ?? 1) + 1)
        let labelWidth = names.map(\.count).max() ?? 5
        var lines = ["confusion matrix (rows: actual, columns: predicted)"]
        lines.append(String(repeating: " ", count: labelWidth + 1)
                     + confusion.indices.map { pad(String($0), width) }.joined())
        for (row, counts) in confusion.enumerated() {
            lines.append(names[row].padding(toLength: labelWidth, withPad: " ", startingAt: 0) + " "
                         + counts.map { pad(String($0), width) }.joined()
                         + String(format: "   %5.1f%%", 100 * Double(counts[row]) / Double(Swift.max(counts.reduce(0, +), 1))))
        }
        lines.append("columns: " + names.enumerated().map { "\($0.offset) \($0.element)" }.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    private func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: Swift.max(0, width - text.count)) + text
    }
}

/// The class names of a dataset, for reports.
func classNames(dataset: String, classes: Int) -> [String] {
    dataset == "fashion-mnist" ? MNIST.fashionClassNames : (0..<classes).map(String.init)
}
