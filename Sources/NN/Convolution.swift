import TensorCore

/// A 2-d convolution layer, as PyTorch's `nn.Conv2d`: `conv2d(_:_:bias:stride:padding:dilation:groups:)`
/// with a learnt `weight` and `bias`.
///
/// Both start uniform in ±1/√fanIn, fanIn = inChannels/groups · kh · kw (PyTorch's default: Kaiming-uniform
/// with a = √5 gives that bound for the weight). Parameters are named `weight` and `bias`, as PyTorch's.
///
/// **Shapes:** `[N, inChannels, H, W]` → `[N, outChannels, outH, outW]`.
public final class Conv2d: Module, FusibleModule {
    /// `[outChannels, inChannels / groups, kh, kw]`
    public let weight: Tensor
    /// `[outChannels]`, or nil for a layer built with `bias: false`.
    public let bias: Tensor?
    /// Input and output channels.
    public let inChannels: Int, outChannels: Int
    /// The kernel's size, the step between windows, the zero padding and the spacing of the kernel's taps.
    public let kernelSize: Size2D, stride: Size2D, padding: Padding2D, dilation: Size2D
    /// Independent groups of channels (inChannels for a depthwise convolution).
    public let groups: Int

    /// A layer with fresh parameters drawn from `generator` (the global one by default); stops if `groups`
    /// does not divide both channel counts.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Size2D, stride: Size2D = 1, padding: Padding2D = 0,
                dilation: Size2D = 1, groups: Int = 1, bias: Bool = true, generator: RandomGenerator? = nil) {
        require(inChannels >= 1 && outChannels >= 1 && groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0,
                "Conv2d: groups \(groups) must divide the \(inChannels) input and \(outChannels) output channels")
        require(kernelSize.height >= 1 && kernelSize.width >= 1, "Conv2d: kernel size \(kernelSize) must be at least 1")
        (self.inChannels, self.outChannels, self.kernelSize) = (inChannels, outChannels, kernelSize)
        (self.stride, self.padding, self.dilation, self.groups) = (stride, padding, dilation, groups)
        let fanIn = inChannels / groups * kernelSize.height * kernelSize.width
        let bound = Float(1 / Double(fanIn).squareRoot())
        weight = Tensor.rand([outChannels, inChannels / groups, kernelSize.height, kernelSize.width], low: -bound,
                             high: bound, generator: generator).requiringGrad()
        self.bias = bias ? Tensor.rand([outChannels], low: -bound, high: bound, generator: generator).requiringGrad() : nil
    }

    public override func forward(_ input: Tensor) -> Tensor { forward(input, then: .identity) }

    /// Takes in the activation layer after it (`ReLU`, `GELU`).
    public func fused(with following: ArraySlice<Module>) -> FusedStep? {
        productFusion(.identity, following) { self.forward($0, then: $1) }
    }

    /// This layer followed by `activation`, as one product with the activation applied as it stores its output.
    ///
    /// **Shapes:** `[N, inChannels, H, W]` → `[N, outChannels, outH, outW]`.
    public func forward(_ input: Tensor, then activation: Activation) -> Tensor {
        require(input.rank == 4 && input.shape[1] == inChannels,
                "Conv2d(\(inChannels), \(outChannels)): input must be [N, \(inChannels), H, W], got shape \(input.shape)")
        return conv2d(input, weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups,
                      activation: activation)
    }

    public override var extraDescription: String {
        var text = "\(inChannels), \(outChannels), kernel_size=\(pair(kernelSize)), stride=\(pair(stride))"
        switch padding {
        case .same: text += ", padding=same"
        case .explicit(let size) where size != 0: text += ", padding=\(pair(size))"
        default: break
        }
        if dilation != 1 { text += ", dilation=\(pair(dilation))" }
        if groups != 1 { text += ", groups=\(groups)" }
        if bias == nil { text += ", bias=False" }
        return text
    }
}

/// `(h, w)`, as PyTorch prints a layer's pairs.
func pair(_ size: Size2D) -> String { "(\(size.height), \(size.width))" }
