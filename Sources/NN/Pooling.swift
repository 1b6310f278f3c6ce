import TensorCore

/// The largest element of each window, as PyTorch's `nn.MaxPool2d` (`maxPool2d(_:kernel:stride:padding:)`).
///
/// **Shapes:** `[N, C, H, W]` → `[N, C, outH, outW]`.
public final class MaxPool2d: Module {
    /// The window, the step between windows (the window by default) and the padding (counted as −∞).
    public let kernelSize: Size2D, stride: Size2D, padding: Size2D

    /// A max pool with PyTorch's defaults.
    public init(_ kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0) {
        (self.kernelSize, self.stride, self.padding) = (kernelSize, stride ?? kernelSize, padding)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        maxPool2d(input, kernel: kernelSize, stride: stride, padding: padding)
    }

    public override var extraDescription: String {
        "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding), dilation=1, ceil_mode=False"
    }
}

/// The mean of each window, zero padding counted, as PyTorch's `nn.AvgPool2d`
/// (`avgPool2d(_:kernel:stride:padding:)`).
///
/// **Shapes:** `[N, C, H, W]` → `[N, C, outH, outW]`.
public final class AvgPool2d: Module {
    /// The window, the step between windows (the window by default) and the zero padding.
    public let kernelSize: Size2D, stride: Size2D, padding: Size2D

    /// An average pool with PyTorch's defaults.
    public init(_ kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0) {
        (self.kernelSize, self.stride, self.padding) = (kernelSize, stride ?? kernelSize, padding)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        avgPool2d(input, kernel: kernelSize, stride: stride, padding: padding)
    }

    public override var extraDescription: String { "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding)" }
}

/// The mean over a grid of regions, as PyTorch's `nn.AdaptiveAvgPool2d` (`adaptiveAvgPool2d(_:outputSize:)`);
/// `AdaptiveAvgPool2d(1)` is global average pooling.
///
/// **Shapes:** `[N, C, H, W]` → `[N, C, outputSize.height, outputSize.width]`.
public final class AdaptiveAvgPool2d: Module {
    /// The grid's size.
    public let outputSize: Size2D

    /// Pools each channel to `outputSize`.
    public init(_ outputSize: Size2D) { self.outputSize = outputSize }

    public override func forward(_ input: Tensor) -> Tensor { adaptiveAvgPool2d(input, outputSize: outputSize) }

    public override var extraDescription: String { "output_size=\(outputSize)" }
}
