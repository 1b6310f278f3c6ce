import TensorCore

/// Batch normalisation over the channels of axis 1, as PyTorch's `_BatchNorm` (`batchNorm(_:runningMean:runningVariance:weight:bias:training:momentum:epsilon:)`):
/// batch statistics in training mode, running statistics in evaluation mode (``Module/eval()``).
///
/// `weight` (1) and `bias` (0) are parameters; `running_mean` (0), `running_var` (1) and `num_batches_tracked`
/// are buffers, saved and loaded under PyTorch's names but not trained. Use ``BatchNorm1d`` or ``BatchNorm2d``.
public class BatchNorm: Module, FusibleModule {
    /// `[features]`: the scale, or nil without `affine`.
    public let weight: Tensor?
    /// `[features]`: the shift, or nil without `affine`.
    public let bias: Tensor?
    /// `[features]`: the running mean.
    @Buffer public var runningMean: Tensor
    /// `[features]`: the running (unbiased) variance.
    @Buffer public var runningVariance: Tensor
    /// `[]`: training steps taken, an int64 as PyTorch counts them.
    @Buffer public var batchesTracked: Tensor
    /// How far each batch moves the running statistics, and what is added to the variance.
    public let momentum: Float, epsilon: Float
    /// The input rank this layer takes (2 or 3 for 1-d, 4 for 2-d), named in messages.
    private let ranks: ClosedRange<Int>

    init(_ features: Int, epsilon: Float, momentum: Float, affine: Bool, ranks: ClosedRange<Int>) {
        require(features >= 1, "\(Self.self): needs at least one feature, got \(features)")
        weight = affine ? Tensor.ones([features]).requiringGrad() : nil
        bias = affine ? Tensor.zeros([features]).requiringGrad() : nil
        _runningMean = Buffer(wrappedValue: Tensor.zeros([features]), "running_mean")
        _runningVariance = Buffer(wrappedValue: Tensor.ones([features]), "running_var")
        _batchesTracked = Buffer(wrappedValue: Tensor.zeros([], dtype: .int64), "num_batches_tracked")
        (self.momentum, self.epsilon, self.ranks) = (momentum, epsilon, ranks)
    }

    /// Channels normalised.
    public var features: Int { runningMean.shape[0] }

    public override func forward(_ input: Tensor) -> Tensor {
        startStep(input)
        return batchNorm(input, runningMean: runningMean, runningVariance: runningVariance, weight: weight, bias: bias,
                         training: isTraining, momentum: momentum, epsilon: epsilon)
    }

    /// Takes in a `ReLU` after it, and a `MaxPool2d` after that (on 4-d input), as one op
    /// (`batchNormReLU(_:runningMean:runningVariance:weight:bias:training:momentum:epsilon:maxPool:)`).
    public func fused(with following: ArraySlice<Module>) -> FusedStep? {
        guard (following.first as? ActivationLayer)?.activation == .relu else { return nil }
        let pool = following.dropFirst().first as? MaxPool2d
        return FusedStep(followers: pool == nil ? 1 : 2) { input in
            guard let pool, input.rank != 4 else { return self.normalizedReLU(input, maxPool: pool) }
            return pool(self.normalizedReLU(input, maxPool: nil))
        }
    }

    /// This layer, a `ReLU` and (if given) `maxPool` applied in turn, as one op.
    private func normalizedReLU(_ input: Tensor, maxPool: MaxPool2d?) -> Tensor {
        startStep(input)
        let window = maxPool.map { MaxPoolWindow(kernel: $0.kernelSize, stride: $0.stride, padding: $0.padding) }
        return batchNormReLU(input, runningMean: runningMean, runningVariance: runningVariance, weight: weight, bias: bias,
                             training: isTraining, momentum: momentum, epsilon: epsilon, maxPool: window)
    }

    /// Checks the input and counts a training step.
    private func startStep(_ input: Tensor) {
        require(ranks.contains(input.rank) && input.shape[1] == features,
                "\(type(of: self))(\(features)): input must have \(features) channels on axis 1 and rank \(ranks.lowerBound == ranks.upperBound ? "\(ranks.lowerBound)" : "\(ranks.lowerBound) or \(ranks.upperBound)"), got shape \(input.shape)")
        if isTraining { withoutGradient { batchesTracked += 1 } }
    }

    public override var extraDescription: String {
        "\(features), eps=\(epsilon), momentum=\(momentum), affine=\(weight == nil ? "False" : "True"), track_running_stats=True"
    }
}

/// Batch normalisation of `[N, C]` or `[N, C, L]` inputs, as PyTorch's `nn.BatchNorm1d`.
public final class BatchNorm1d: BatchNorm {
    /// A layer for `features` channels with PyTorch's defaults.
    public init(_ features: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        super.init(features, epsilon: epsilon, momentum: momentum, affine: affine, ranks: 2...3)
    }
}

/// Batch normalisation of `[N, C, H, W]` inputs, as PyTorch's `nn.BatchNorm2d`.
public final class BatchNorm2d: BatchNorm {
    /// A layer for `features` channels with PyTorch's defaults.
    public init(_ features: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        super.init(features, epsilon: epsilon, momentum: momentum, affine: affine, ranks: 4...4)
    }
}
