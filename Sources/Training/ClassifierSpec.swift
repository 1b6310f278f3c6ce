import Checkpoints
import Foundation
import NN
import TensorCore

/// The classifiers `swiftgrad train` builds, by name.
public enum ClassifierArchitecture: String, Codable, CaseIterable, Sendable {
    /// Linear layers of `--hidden` sizes with ReLU between.
    case mlp
    /// The convolutional preset: a block of Conv2d 3×3 → BatchNorm2d → ReLU → MaxPool2d(2) per `--channels`
    /// entry, then `--hidden` fully connected layers.
    case cnn
}

/// An image classifier as a run and its checkpoint describe it: enough to build it again. Saved as JSON in a
/// model file's metadata (``ClassifierSpec/metadataKey``), so that any model of the family, a CNN as well as an
/// MLP, loads from its file alone.
public struct ClassifierSpec: Codable, Equatable, Sendable {
    /// The metadata key a model file keeps the spec under.
    public static let metadataKey = "swiftgrad.classifier"

    /// MLP or CNN.
    public let architecture: ClassifierArchitecture
    /// Input pixels, the hidden fully connected sizes, classes: `[784, 256, 128, 10]`.
    public let sizes: [Int]
    /// A CNN's convolution channels (`[32, 64]`); empty for an MLP.
    public let channels: [Int]
    /// The images' rows and columns.
    public let imageSize: Size2D

    /// The classifier of `architecture` with these sizes, channels (a CNN's) and images.
    public init(architecture: ClassifierArchitecture, sizes: [Int], channels: [Int], imageSize: Size2D) {
        self.architecture = architecture
        self.sizes = sizes
        self.channels = channels
        self.imageSize = imageSize
    }

    /// The fully connected sizes between the input (or the convolutions) and the classes.
    public var hidden: [Int] { Array(sizes.dropFirst().dropLast()) }
    /// The number of classes: the last size.
    public var classes: Int { sizes.last! }

    /// The model with fresh parameters from `generator`.
    public func build(generator: RandomGenerator? = nil) -> Sequential {
        switch architecture {
        case .mlp: return Sequential.multilayerPerceptron(sizes, generator: generator)
        case .cnn:
            return Sequential.convolutionalNetwork(ConvolutionalNetworkLayout(channels: channels, hidden: hidden, classes: classes),
                                                   imageSize: imageSize, generator: generator)
        }
    }

    /// The shape of one image as the model takes it: `[rows·columns]`, or `[1, rows, columns]` for a CNN (an
    /// `ImageDataset`'s `imageShape`).
    public var inputShape: [Int] {
        architecture == .mlp ? [imageSize.height * imageSize.width] : [1, imageSize.height, imageSize.width]
    }

    /// "784 → 256 → 128 → 10", or "conv 1 → 32 → 64, 3136 → 128 → 10".
    public var description: String {
        let arrows = { (sizes: [Int]) in sizes.map(String.init).joined(separator: " → ") }
        guard architecture == .cnn else { return arrows(sizes) }
        let pooled = ConvolutionalNetworkLayout(channels: channels, hidden: hidden, classes: classes).pooledSize(of: imageSize)
        return "conv 3×3 \(arrows([1] + channels)), \(arrows([channels.last! * pooled.height * pooled.width] + hidden + [classes]))"
    }

    /// What training holds per parameter and per image, for estimating a run's memory: the parameter count, and the
    /// floats of one image's activations (the layer outputs; a convolution unfolds its windows image by image, in
    /// a scratch buffer of its own).
    public var footprint: (parameters: Double, activationsPerImage: Double) {
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
    public static func of(_ state: [String: Tensor], architecture: ClassifierArchitecture, imageSize: Size2D) throws -> ClassifierSpec {
        switch architecture {
        case .mlp:
            return ClassifierSpec(architecture: .mlp, sizes: try Sequential.multilayerPerceptronSizes(of: state), channels: [],
                             imageSize: imageSize)
        case .cnn:
            let layout = try Sequential.convolutionalNetworkLayout(of: state)
            guard layout.inChannels == 1 else {
                throw CheckpointError(path: "0.weight", problem: "takes \(layout.inChannels) channels; the images have 1")
            }
            return ClassifierSpec(architecture: .cnn, sizes: [imageSize.height * imageSize.width] + layout.hidden + [layout.classes],
                             channels: layout.channels, imageSize: imageSize)
        }
    }
}

extension ClassifierSpec {
    /// The model file's metadata that records this spec (and, for readers of older files, its architecture's name).
    public var metadata: [String: String] {
        let json = (try? JSONEncoder().encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return [Self.metadataKey: json, "swiftgrad.arch": architecture.rawValue]
    }

    /// The classifier in a model file, with the file's metadata: built from the spec its metadata records, or, for
    /// a file without one (PyTorch's, or SwiftGrad's before the spec was saved), inferred from its tensor names and
    /// shapes as the architecture the metadata names, else `architecture`, else an MLP.
    ///
    /// - Throws: `CheckpointError` for a missing or corrupt file, a spec for images of another size than
    ///   `imageSize`, an architecture that disagrees with `architecture`, or tensors that do not fit the spec.
    public static func load(_ url: URL, architecture: ClassifierArchitecture? = nil, imageSize: Size2D) throws
        -> (model: Sequential, spec: ClassifierSpec, metadata: [String: String]) {
        let (tensors, metadata) = try SafeTensors.readWithMetadata(url)
        let saved = metadata["swiftgrad.arch"].flatMap(ClassifierArchitecture.init(rawValue:))
        if let saved, let architecture, saved != architecture {
            throw CheckpointError(path: url.path, problem: "holds an \(saved), not the --arch \(architecture) network")
        }
        let spec: ClassifierSpec
        if let text = metadata[metadataKey] {
            guard let decoded = try? JSONDecoder().decode(ClassifierSpec.self, from: Data(text.utf8)) else {
                throw CheckpointError(path: url.path, problem: "its \(metadataKey) metadata is not a classifier this version of SwiftGrad can read")
            }
            guard decoded.imageSize == imageSize else {
                throw CheckpointError(path: url.path, problem: "holds a classifier of \(decoded.imageSize.height)×\(decoded.imageSize.width) images; these are \(imageSize.height)×\(imageSize.width)")
            }
            spec = decoded
        } else {
            let kind = saved ?? architecture ?? .mlp
            do {
                spec = try ClassifierSpec.of(tensors, architecture: kind, imageSize: imageSize)
            } catch {
                let what = kind == .mlp ? "a Linear/ReLU multilayer perceptron (give --arch cnn for a CNN)" : "the --arch cnn network"
                throw CheckpointError(path: url.path, problem: "not \(what): \(error)")
            }
        }
        let model = spec.build()
        do {
            try model.loadStateDict(tensors)
        } catch {
            throw CheckpointError(path: url.path, problem: "\(error)")
        }
        return (model, spec, metadata)
    }
}
