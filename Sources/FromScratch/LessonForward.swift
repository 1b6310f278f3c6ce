import TensorCore

/// The lesson's small MLP, stage by stage: forward pass, initialisation, backward pass by hand
/// (``Lesson/mseGrad(_:_:)``, …) and the same refactored into layer objects (``Lesson/Model``).
///
/// The model is `x` [200, 100] → `lin` (w1 [100, 50], b1 [50]) → `relu` → `lin` (w2 [50, 1], b2 [1]) → `mse`
/// against targets `y` [200]. Weights are stored in-by-out, as the lesson stores them (`x · w`), unlike
/// `nn.Linear`, which stores out-by-in.
public enum Lesson {
    /// A linear layer: `x · w + b`.
    ///
    /// **Shapes:** x `[n, in]`, w `[in, out]`, b `[out]` → `[n, out]`.
    public static func lin(_ x: Tensor, _ w: Tensor, _ b: Tensor) -> Tensor { x.matmul(w) + b }

    /// The rectifier as the lesson writes it: `x.clamped(min: 0)` (PyTorch's `clamp_min(0.)`).
    ///
    /// **Shapes:** unchanged.
    public static func relu(_ x: Tensor) -> Tensor { x.clamped(min: 0) }

    /// The lesson's model: `lin(relu(lin(x, w1, b1)), w2, b2)`.
    ///
    /// **Shapes:** x `[n, 100]` → `[n, 1]`.
    public static func model(_ x: Tensor, _ p: Parameters) -> Tensor {
        lin(relu(lin(x, p.w1, p.b1)), p.w2, p.b2)
    }

    /// Mean squared error: `(output.squeezed(axis: -1) - target).pow(2).mean()`.
    ///
    /// **Shapes:** output `[n, 1]`, target `[n]` → `[]`.
    public static func mse(_ output: Tensor, _ target: Tensor) -> Tensor {
        (output.squeezed(axis: -1) - target).pow(2).mean()
    }

    /// How the lesson's weights are drawn.
    public enum Initialization: String, CaseIterable, Sendable {
        /// `randn(fanIn, fanOut) * sqrt(2 / fanIn)`: Kaiming/He initialisation, which keeps the standard deviation
        /// of ReLU activations near 1 from layer to layer.
        case kaiming
        /// `randn(fanIn, fanOut) / sqrt(2 / fanIn)`: the lesson's formula, which divides by the gain instead of
        /// multiplying. Each layer then scales activations up by fanIn/2 (50× for the first layer), so outputs
        /// come out around ±1000 and the loss around a million.
        case lessonFormula
    }

    /// A weight matrix `[fanIn, fanOut]` drawn from N(0, 1) and scaled by `initialization`.
    ///
    /// Why `* sqrt(2 / fanIn)`: a sum of fanIn products of unit-variance terms has variance fanIn, and ReLU
    /// halves it, so scaling by sqrt(2 / fanIn) brings each layer's output variance back to 1 (He et al., 2015).
    public static func weight(
        fanIn: Int, fanOut: Int, _ initialization: Initialization = .kaiming, generator: RandomGenerator? = nil
    ) -> Tensor {
        let gain = Float((2 / Double(fanIn)).squareRoot())
        let w = Tensor.randn([fanIn, fanOut], generator: generator)
        return initialization == .kaiming ? w * gain : w / gain
    }

    /// The lesson's four parameter tensors, in-by-out.
    public struct Parameters {
        /// `[100, 50]`
        public var w1: Tensor
        /// `[50]`
        public var b1: Tensor
        /// `[50, 1]`
        public var w2: Tensor
        /// `[1]`
        public var b2: Tensor

        /// Parameters from existing tensors (for example PyTorch's, from a fixture).
        public init(w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) {
            (self.w1, self.b1, self.w2, self.b2) = (w1, b1, w2, b2)
        }

        /// Fresh parameters: weights drawn with `initialization`, biases zero.
        public init(inputs: Int = 100, hidden: Int = 50, _ initialization: Initialization = .kaiming,
                    generator: RandomGenerator? = nil) {
            w1 = Lesson.weight(fanIn: inputs, fanOut: hidden, initialization, generator: generator)
            b1 = Tensor.zeros([hidden])
            w2 = Lesson.weight(fanIn: hidden, fanOut: 1, initialization, generator: generator)
            b2 = Tensor.zeros([1])
        }

        /// All four, in order: w1, b1, w2, b2.
        public var all: [Tensor] { [w1, b1, w2, b2] }
    }

    /// The lesson's data: inputs `x` ~ N(0, 1) `[200, 100]` and targets `y` ~ U(0, 1) `[200]`.
    public static func data(count: Int = 200, inputs: Int = 100, generator: RandomGenerator? = nil)
        -> (x: Tensor, y: Tensor) {
        (Tensor.randn([count, inputs], generator: generator), Tensor.rand([count], generator: generator))
    }
}
