import TensorCore

/// max(x, 0), as `nn.ReLU`. **Shapes:** unchanged.
public final class ReLU: Module, ActivationLayer {
    public override init() {}
    /// `Activation.relu`.
    public var activation: Activation { .relu }
    public override func forward(_ input: Tensor) -> Tensor { input.relu() }
}

/// x·Φ(x), as `nn.GELU` (`Tensor.gelu(approximate:)`); `GELU(approximate: .tanh)` is GPT-2's form.
/// **Shapes:** unchanged.
public final class GELU: Module, ActivationLayer {
    /// The exact form, or the tanh approximation.
    public let approximate: GELUApproximation
    /// GELU, exact unless `approximate` is `.tanh`.
    public init(approximate: GELUApproximation = .none) { self.approximate = approximate }
    /// `Activation.gelu`, or `Activation.geluTanh` for the tanh approximation.
    public var activation: Activation { approximate == .tanh ? .geluTanh : .gelu }
    public override func forward(_ input: Tensor) -> Tensor { input.gelu(approximate: approximate) }
    public override var extraDescription: String { approximate == .tanh ? "approximate='tanh'" : "approximate='none'" }
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
        dropout(input, probability: p, training: isTraining, generator: generator)
    }

    public override var extraDescription: String { "p=\(p)" }
}
