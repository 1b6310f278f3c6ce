import ArgumentParser
import Foundation
import SwiftGrad

/// The models `swiftgrad train` builds.
enum Architecture: String, Codable, CaseIterable, ExpressibleByArgument {
    /// Linear layers of `--hidden` sizes with ReLU between.
    case mlp
    /// The convolutional preset: a block of Conv2d 3×3 → BatchNorm2d → ReLU → MaxPool2d(2) per `--channels`
    /// entry, then `--hidden` fully connected layers.
    case cnn
}

/// A classifier as a run and its checkpoint describe it: enough to build it again.
struct ModelSpec: Equatable {
    let architecture: Architecture
    /// Input pixels, the hidden fully connected sizes, classes: `[784, 256, 128, 10]`.
    let sizes: [Int]
    /// A CNN's convolution channels (`[32, 64]`); empty for an MLP.
    let channels: [Int]
    /// The images' rows and columns.
    let imageSize: Size2D

    /// The fully connected sizes between the input (or the convolutions) and the classes.
    var hidden: [Int] { Array(sizes.dropFirst().dropLast()) }
    var classes: Int { sizes.last! }

    /// The model with fresh parameters from `generator`.
    func build(generator: RandomGenerator? = nil) -> Sequential {
        switch architecture {
        case .mlp: return Sequential.multilayerPerceptron(sizes, generator: generator)
        case .cnn:
            return Sequential.convolutionalNetwork(ConvolutionalNetworkLayout(channels: channels, hidden: hidden, classes: classes),
                                                   imageSize: imageSize, generator: generator)
        }
    }

    /// A batch of flat images `[n, pixels]` as the model takes it: as they are, or `[n, 1, rows, columns]`.
    func input(_ images: Tensor) -> Tensor {
        architecture == .mlp ? images : images.reshaped(to: [images.shape[0], 1, imageSize.height, imageSize.width])
    }

    /// "784 → 256 → 128 → 10", or "conv 1 → 32 → 64, 3136 → 128 → 10".
    var description: String {
        let arrows = { (sizes: [Int]) in sizes.map(String.init).joined(separator: " → ") }
        guard architecture == .cnn else { return arrows(sizes) }
        let pooled = ConvolutionalNetworkLayout(channels: channels, hidden: hidden, classes: classes).pooledSize(of: imageSize)
        return "conv 3×3 \(arrows([1] + channels)), \(arrows([channels.last! * pooled.height * pooled.width] + hidden + [classes]))"
    }

    /// What training holds per parameter and per image, for ``MemoryEstimate``: the parameter count, and the
    /// floats of one image's activations (the layer outputs; a convolution unfolds its windows image by image, in
    /// a scratch buffer of its own).
    var footprint: (parameters: Double, activationsPerImage: Double) {
        let linear = { (sizes: [Int]) in zip(sizes, sizes.dropFirst()).reduce(0.0) { $0 + Double($1.0 + 1) * Double($1.1) } }
        guard architecture == .cnn else { return (linear(sizes), sizes.reduce(0.0) { $0 + Double($1) }) }
        var parameters = 0.0, activations = 0.0
        var (side, inChannels) = (imageSize, 1)
        for c in channels {
            parameters += Double(inChannels * 9 + 1 + 2) * Double(c)
            let pixels = Double(side.height * side.width)
            activations += pixels * 3 * Double(c)
            side = Size2D(side.height / 2, side.width / 2)
            activations += Double(side.height * side.width * c)
            inChannels = c
        }
        let flat = [inChannels * side.height * side.width] + hidden + [classes]
        return (parameters + linear(flat), activations + flat.reduce(0.0) { $0 + Double($1) })
    }

    /// The spec of a checkpoint's tensors: `architecture` (from the file's metadata or `--arch`), the rest
    /// inferred from the names and shapes, so PyTorch's files load too.
    static func of(_ state: [String: Tensor], architecture: Architecture, imageSize: Size2D) throws -> ModelSpec {
        switch architecture {
        case .mlp:
            return ModelSpec(architecture: .mlp, sizes: try Sequential.multilayerPerceptronSizes(of: state), channels: [],
                             imageSize: imageSize)
        case .cnn:
            let layout = try Sequential.convolutionalNetworkLayout(of: state)
            guard layout.inChannels == 1 else {
                throw CheckpointError(path: "0.weight", problem: "takes \(layout.inChannels) channels; the images have 1")
            }
            return ModelSpec(architecture: .cnn, sizes: [imageSize.height * imageSize.width] + layout.hidden + [layout.classes],
                             channels: layout.channels, imageSize: imageSize)
        }
    }
}
