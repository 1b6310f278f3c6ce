import Foundation
import Datasets
import NN
import TensorCore

/// A classifier's accuracy, mean cross-entropy and confusion matrix on a dataset.
public struct ClassificationReport: Sendable {
    /// The share of examples classified correctly.
    public let accuracy: Double
    /// The mean cross-entropy.
    public let loss: Double
    /// `confusion[actual][predicted]`: how many examples of each class went to each class.
    public let confusion: [[Int]]

    /// Runs `model` (in evaluation mode, then back in its previous mode, with no gradient recorded) on every batch
    /// of `data`, whose targets are class indices below `classes`.
    public init(model: Module, data: DataLoader, classes: Int) {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        var lossSum = 0.0
        withoutGradient {
            for (inputs, targets) in data.batches() {
                let logits = model(inputs)
                lossSum += Double(crossEntropy(logits: logits, targets: targets, reduction: .sum).item())
                for (predicted, actual) in zip(logits.argmax(axis: 1).scalars, targets.scalars) {
                    confusion[Int(actual)][Int(predicted)] += 1
                }
            }
        }
        self.init(confusion: confusion, lossSum: lossSum)
    }

    /// The report of a confusion matrix and the sum of the examples' losses (combining the reports of parts of a
    /// dataset).
    public init(confusion: [[Int]], lossSum: Double) {
        let examples = confusion.joined().reduce(0, +)
        let correct = confusion.indices.reduce(0) { $0 + confusion[$1][$1] }
        accuracy = Double(correct) / Double(Swift.max(examples, 1))
        loss = lossSum / Double(Swift.max(examples, 1))
        self.confusion = confusion
    }

    /// The confusion matrix as text, rows actual, columns predicted, each row with its share correct; classes past
    /// `classNames` are called "class N".
    public func table(classNames: [String]) -> String {
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
