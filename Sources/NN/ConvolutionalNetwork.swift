import TensorCore

/// The shape of a small convolutional classifier: blocks of `Conv2d(3×3, padding 1) → BatchNorm2d → ReLU →
/// MaxPool2d(2)`, one per entry of `channels`, then `Flatten`, fully connected layers of `hidden` sizes with
/// ReLU between, and `classes` outputs.
public struct ConvolutionalNetworkLayout: Equatable, Sendable {
    /// Channels of the input images (1 for grey).
    public var inChannels: Int
    /// Output channels of each convolution block.
    public var channels: [Int]
    /// Sizes of the hidden fully connected layers.
    public var hidden: [Int]
    /// Outputs.
    public var classes: Int

    /// A layout; stops unless every size is positive.
    public init(inChannels: Int = 1, channels: [Int], hidden: [Int], classes: Int) {
        require(inChannels > 0 && !channels.isEmpty && channels.allSatisfy { $0 > 0 } && hidden.allSatisfy { $0 > 0 } && classes > 0,
                "ConvolutionalNetworkLayout: sizes must be positive, with at least one convolution block (channels \(channels), hidden \(hidden), classes \(classes))")
        (self.inChannels, self.channels, self.hidden, self.classes) = (inChannels, channels, hidden, classes)
    }

    /// The side lengths after the blocks' pooling (each halves, rounding down).
    public func pooledSize(of imageSize: Size2D) -> Size2D {
        channels.reduce(imageSize) { size, _ in Size2D(size.height / 2, size.width / 2) }
    }
}

extension Sequential {
    /// A convolutional classifier of `layout` for images of `imageSize` (the `--arch cnn` preset is channels
    /// [32, 64], hidden [128], 10 classes on 28×28): the same layers, in the same order and with the same
    /// parameter names, as PyTorch's
    /// `nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2), …,
    /// nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))`, so checkpoints go both ways.
    ///
    /// **Shapes:** `[N, inChannels, H, W]` → `[N, classes]`.
    public static func convolutionalNetwork(_ layout: ConvolutionalNetworkLayout, imageSize: Size2D,
                                            generator: RandomGenerator? = nil) -> Sequential {
        let pooled = layout.pooledSize(of: imageSize)
        require(pooled.height >= 1 && pooled.width >= 1,
                "convolutionalNetwork: \(layout.channels.count) pooling blocks leave nothing of a \(imageSize) image")
        var layers: [Module] = []
        var inChannels = layout.inChannels
        for channels in layout.channels {
            layers += [Conv2d(inChannels, channels, kernelSize: 3, padding: 1, generator: generator), BatchNorm2d(channels),
                       ReLU(), MaxPool2d(2)]
            inChannels = channels
        }
        layers.append(Flatten())
        let sizes = [inChannels * pooled.height * pooled.width] + layout.hidden + [layout.classes]
        for (i, (input, output)) in zip(sizes, sizes.dropFirst()).enumerated() {
            if i > 0 { layers.append(ReLU()) }
            layers.append(Linear(input, output, generator: generator))
        }
        return Sequential(layers).fused()
    }

    /// The layout of the convolutional network whose state `state` holds, as ``convolutionalNetwork(_:imageSize:generator:)``
    /// (or PyTorch's identical `nn.Sequential`) names it: `0.weight` [c1, in, 3, 3], `1.running_mean`, …,
    /// `4.weight` [c2, c1, 3, 3], …, then the linear layers after the `Flatten`.
    ///
    /// - Throws: ``StateDictError`` when the names or shapes do not form such a network.
    public static func convolutionalNetworkLayout(of state: [String: Tensor]) throws -> ConvolutionalNetworkLayout {
        var channels: [Int] = []
        var inChannels = 0
        var index = 0
        while let weight = state["\(index).weight"], weight.rank == 4 {
            guard weight.shape[2] == 3 && weight.shape[3] == 3, channels.last.map({ $0 == weight.shape[1] }) ?? true else {
                throw StateDictError(missing: [], unexpected: [], mismatchedShapes: ["\(index).weight: \(weight.shape) is not a 3×3 convolution of the previous block's channels"])
            }
            if channels.isEmpty { inChannels = weight.shape[1] }
            channels.append(weight.shape[0])
            index += 4
        }
        guard !channels.isEmpty else {
            throw StateDictError(missing: ["0.weight (a [channels, in, 3, 3] convolution)"], unexpected: [], mismatchedShapes: [])
        }
        var sizes: [Int] = []
        var linear = index + 1
        while let weight = state["\(linear).weight"], weight.rank == 2 {
            sizes.append(weight.shape[0])
            linear += 2
        }
        guard let classes = sizes.last else {
            throw StateDictError(missing: ["\(index + 1).weight (the first linear layer)"], unexpected: [], mismatchedShapes: [])
        }
        return ConvolutionalNetworkLayout(inChannels: inChannels, channels: channels, hidden: Array(sizes.dropLast()),
                                          classes: classes)
    }
}
