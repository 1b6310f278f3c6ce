import TensorCore

/// max(x, 0), as `nn.ReLU`. **Shapes:** unchanged.
public final class ReLU: Module {
    public override init() {}
    public override func forward(_ input: Tensor) -> Tensor { input.relu() }
}

/// 1 / (1 + e^−x), as `nn.Sigmoid`. **Shapes:** unchanged.
public final class Sigmoid: Module {
    public override init() {}
    public override func forward(_ input: Tensor) -> Tensor { input.sigmoid() }
}

/// tanh(x), as `nn.Tanh`. **Shapes:** unchanged.
public final class Tanh: Module {
    public override init() {}
    public override func forward(_ input: Tensor) -> Tensor { input.tanh() }
}

/// Zeroes each element with probability `p` during training and scales the rest by 1/(1 − p), as
/// `nn.Dropout`; does nothing in evaluation mode. **Shapes:** unchanged.
public final class Dropout: Module {
    /// The probability of zeroing an element.
    public let p: Float
    private let generator: RandomGenerator?

    /// - Parameters:
    ///   - p: the probability of zeroing an element, in [0, 1).
    ///   - generator: where the masks come from (the global generator by default), for reproducible runs.
    public init(_ p: Float = 0.5, generator: RandomGenerator? = nil) {
        require(p >= 0 && p < 1, "Dropout: p must be in [0, 1), got \(p)")
        self.p = p
        self.generator = generator
    }

    public override func forward(_ input: Tensor) -> Tensor {
        guard isTraining, p > 0 else { return input }
        let keep = Tensor.rand(input.shape, dtype: input.dtype, generator: generator) .>= p
        return input * keep / (1 - p)
    }

    public override var extraDescription: String { "p=\(p)" }
}
