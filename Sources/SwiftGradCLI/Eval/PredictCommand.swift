import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad predict`: one test image drawn in the terminal and the model's top-3 classes.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Draw test image N in the terminal and print the model's top-3 classes with probabilities."
    )

    @OptionGroup var options: ModelOptions

    @Option(help: "Which test image (0-based).")
    var index: Int = 0

    func run() throws {
        let (network, spec, normalization, test, names, _) = try options.load()
        guard (0..<test.count).contains(index) else {
            throw ValidationError("--index must be in 0..<\(test.count), got \(index)")
        }
        print(isatty(1) == 1 ? Self.drawing(of: test, index: index) : Self.asciiDrawing(of: test, index: index))
        let (image, label) = test.batch([index], normalization: normalization)
        network.eval()
        let probabilities = withoutGradient { network(image.reshaped(to: [1] + spec.inputShape)).softmax(axis: 1) }.scalars
        let actual = Int(label.item())
        print("actual: \(names[actual])")
        for (rank, (classIndex, p)) in probabilities.enumerated().sorted(by: { $0.element > $1.element }).prefix(3).enumerated() {
            let name = names[classIndex].padding(toLength: 12, withPad: " ", startingAt: 0)
            print("\(rank + 1). \(name) \(String(format: "%6.2f%%", 100 * p))\(classIndex == actual ? "  ✓" : "")")
        }
    }

    /// The image as characters of increasing ink, two per pixel so it keeps its proportions, for logs and pipes.
    static func asciiDrawing(of dataset: MNIST, index: Int) -> String {
        let ramp = Array(" .:-=+*#%@")
        let size = dataset.imageSize
        let pixels = dataset.pixels[(index * size)..<((index + 1) * size)]
        return stride(from: 0, to: size, by: dataset.columns).map { start in
            String(pixels[(pixels.startIndex + start)..<(pixels.startIndex + start + dataset.columns)].flatMap { value in
                Array(repeating: ramp[Int(value) * (ramp.count - 1) / 255], count: 2)
            })
        }.joined(separator: "\n")
    }

    /// The image in shades of grey, two pixels per character cell (upper and lower half blocks), so a 28×28
    /// image is 28 columns by 14 lines.
    static func drawing(of dataset: MNIST, index: Int) -> String {
        let size = dataset.imageSize
        let pixels = dataset.pixels[(index * size)..<((index + 1) * size)].map(Int.init)
        func grey(_ value: Int) -> Int { 232 + value * 23 / 255 }
        var lines: [String] = []
        for row in stride(from: 0, to: dataset.rows, by: 2) {
            var line = ""
            for column in 0..<dataset.columns {
                let top = pixels[row * dataset.columns + column]
                let bottom = row + 1 < dataset.rows ? pixels[(row + 1) * dataset.columns + column] : 0
                line += "\u{1B}[38;5;\(grey(top))m\u{1B}[48;5;\(grey(bottom))m▀"
            }
            lines.append(line + "\u{1B}[0m")
        }
        return lines.joined(separator: "\n")
    }
}
