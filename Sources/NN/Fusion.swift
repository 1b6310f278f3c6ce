import TensorCore

/// A module that can run together with the modules right after it as one op, when a `Sequential` is
/// ``Sequential/fused()``: a product that applies the next layer's activation as it stores its output (`Linear`,
/// `Conv2d`), a batch norm that applies a `ReLU` and a `MaxPool2d` in the same pass. User modules adopt it to get
/// the same treatment; nothing in the library recognises layers by their type.
///
/// ```swift
/// final class Projection: Module, FusibleModule {
///     let inner = Linear(16, 16)
///     override func forward(_ x: Tensor) -> Tensor { inner(x) }
///     func fused(with following: ArraySlice<Module>) -> FusedStep? {
///         guard let next = following.first as? ActivationLayer else { return nil }
///         return FusedStep(followers: 1) { x in
///             linear(x, weight: self.inner.weight, bias: self.inner.bias, activation: next.activation)
///         }
///     }
/// }
/// ```
public protocol FusibleModule: Module {
    /// The forward pass of this module and of the first few of `following` (the modules after it in a
    /// `Sequential`), as one call; nil when it cannot take the next module in.
    func fused(with following: ArraySlice<Module>) -> FusedStep?
}

/// Several modules of a `Sequential` run as one call: how many modules after the first it covers, and the call.
public struct FusedStep {
    /// The modules after the fusing one that ``forward`` also applies.
    public let followers: Int
    /// The fused forward pass: the same values and gradients as the modules one after the other.
    public let forward: (Tensor) -> Tensor

    /// A step covering the fusing module and `followers` modules after it.
    public init(followers: Int, forward: @escaping (Tensor) -> Tensor) {
        require(followers >= 1, "FusedStep: a fused step covers at least one following module, got \(followers)")
        (self.followers, self.forward) = (followers, forward)
    }
}

/// A module that is one elementwise activation (`ReLU`, `GELU`): what a product can apply as it stores its output.
public protocol ActivationLayer: Module {
    /// The function this module applies.
    var activation: Activation { get }
}

/// The fusion of a product layer (`Linear`, `Conv2d`) whose own activation is `own`: it takes in the
/// activation layer after it when it has none of its own, calling `forward(input, activation)`.
func productFusion(_ own: Activation, _ following: ArraySlice<Module>,
                   _ forward: @escaping (Tensor, Activation) -> Tensor) -> FusedStep? {
    guard own == .identity, let next = following.first as? ActivationLayer else { return nil }
    let activation = next.activation
    return FusedStep(followers: 1) { input in forward(input, activation) }
}
