import Foundation
import TensorCore

/// Weight initialisers with PyTorch's conventions (`torch.nn.init`). For a weight of shape
/// `[out, in, k...]`, fanIn = in·∏k and fanOut = out·∏k.
public enum Initializer {
    /// Which fan the variance is scaled by.
    public enum Mode: Sendable {
        /// Preserve the variance of activations in the forward pass.
        case fanIn
        /// Preserve the variance of gradients in the backward pass.
        case fanOut
    }

    /// (fanIn, fanOut) of a weight shape.
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        require(shape.count >= 2, "Initializer: fans need at least 2 axes, got \(shape)")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// N(0, σ²) with σ = gain / √fan; gain √2 suits ReLU (He et al.).
    public static func kaimingNormal(_ shape: [Int], mode: Mode = .fanIn, gain: Float = Float(2).squareRoot(),
                                     generator: RandomGenerator? = nil) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        let std = gain / Float(Double(mode == .fanIn ? fanIn : fanOut).squareRoot())
        return Tensor.randn(shape, generator: generator) * std
    }

    /// U(−b, b) with b = gain · √(3 / fan).
    public static func kaimingUniform(_ shape: [Int], mode: Mode = .fanIn, gain: Float = Float(2).squareRoot(),
                                      generator: RandomGenerator? = nil) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        let bound = gain * Float((3 / Double(mode == .fanIn ? fanIn : fanOut)).squareRoot())
        return Tensor.rand(shape, low: -bound, high: bound, generator: generator)
    }

    /// N(0, σ²) with σ = gain · √(2 / (fanIn + fanOut)) (Glorot & Bengio).
    public static func xavierNormal(_ shape: [Int], gain: Float = 1, generator: RandomGenerator? = nil) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        return Tensor.randn(shape, generator: generator) * (gain * Float((2 / Double(fanIn + fanOut)).squareRoot()))
    }

    /// U(−b, b) with b = gain · √(6 / (fanIn + fanOut)).
    public static func xavierUniform(_ shape: [Int], gain: Float = 1, generator: RandomGenerator? = nil) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        let bound = gain * Float((6 / Double(fanIn + fanOut)).squareRoot())
        return Tensor.rand(shape, low: -bound, high: bound, generator: generator)
    }
}
