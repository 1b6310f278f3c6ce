/// An elementwise function that follows a product in ``linear(_:weight:bias:activation:)`` and
/// ``conv2d(_:_:bias:stride:padding:dilation:groups:activation:)``, applied by the matrix multiply to each tile of
/// the output as it stores it (no pass of its own over the output), and the same function as an op of its own
/// (`relu()`, `gelu(approximate:)`). One type from the module down to the kernel's epilogue.
public enum Activation: Sendable, Equatable, CustomStringConvertible {
    /// Nothing: the product plus the bias.
    case identity
    /// ReLU, `x < 0 ? 0 : x` (NaN kept), as `nn.ReLU`.
    case relu
    /// GELU, x·Φ(x) with Φ the standard normal's distribution function, as `nn.GELU()`.
    case gelu
    /// GELU with the tanh approximation 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), as
    /// `nn.GELU(approximate="tanh")` and GPT-2's `gelu_new`.
    case geluTanh

    /// PyTorch's name of the function.
    public var description: String {
        switch self {
        case .identity: "identity"
        case .relu: "relu"
        case .gelu: "gelu"
        case .geluTanh: "gelu(approximate='tanh')"
        }
    }
}

/// Which GELU: the exact form or PyTorch's tanh approximation (`approximate='none'` or `'tanh'`).
public enum GELUApproximation: String, Sendable, Equatable, Codable {
    /// x·Φ(x), through the error function.
    case none
    /// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    case tanh

    /// The activation this form of GELU is.
    public var activation: Activation { self == .none ? .gelu : .geluTanh }
}
