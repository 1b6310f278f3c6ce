import TensorCore

/// The arithmetic a ``Learner``'s forward passes run in (Lightning's `Trainer(precision:)`, fastai's
/// `MixedPrecision`).
public enum Precision: String, Codable, CaseIterable, Sendable {
    /// float32 throughout.
    case float32 = "f32"
    /// Mixed precision: each batch's forward pass and loss run inside `withAutocast(.bfloat16)` (products on
    /// bfloat16 operands with float32 sums, their backward passes too); the parameters, their gradients and the
    /// optimizer's state stay float32, and no loss scaling is needed (bfloat16 has float32's range).
    case bfloat16 = "bf16"

    /// Runs `body` in this precision.
    public func run<Result>(_ body: () throws -> Result) rethrows -> Result {
        try withAutocast(.bfloat16, enabled: self == .bfloat16, body)
    }
}
