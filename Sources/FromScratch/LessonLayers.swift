import TensorCore

/// One of the lesson's hand-written layers: the forward pass remembers its input and output, and `backward()`
/// turns the output's gradient into the input's (and the parameters').
public protocol LessonLayer: AnyObject {
    /// The forward pass.
    func callAsFunction(_ input: Tensor) -> Tensor
    /// Sets the gradients of the input (and parameters) from the output's `grad`.
    func backward()
}

extension Lesson {
    /// `relu` as an object that remembers its input and output.
    public final class Relu: LessonLayer {
        private var input: Tensor?, output: Tensor?
        /// A fresh layer.
        public init() {}
        public func callAsFunction(_ input: Tensor) -> Tensor {
            let output = Lesson.relu(input)
            (self.input, self.output) = (input, output)
            return output
        }
        public func backward() { Lesson.reluGrad(remembered(input), remembered(output)) }
    }

    /// `lin` as an object holding its weight `[in, out]` and bias `[out]`.
    public final class Lin: LessonLayer {
        /// The weight, in-by-out.
        public let w: Tensor
        /// The bias.
        public let b: Tensor
        private var input: Tensor?, output: Tensor?
        /// A layer holding `w` `[in, out]` and `b` `[out]`.
        public init(_ w: Tensor, _ b: Tensor) { (self.w, self.b) = (w, b) }
        public func callAsFunction(_ input: Tensor) -> Tensor {
            let output = Lesson.lin(input, w, b)
            (self.input, self.output) = (input, output)
            return output
        }
        public func backward() { Lesson.linGrad(remembered(input), remembered(output), w, b) }
    }

    /// `mse` as an object that remembers its input and target.
    public final class Mse {
        private var input: Tensor?, target: Tensor?
        /// A fresh loss.
        public init() {}
        /// The loss of `input` `[n, 1]` against `target` `[n]`.
        public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
            (self.input, self.target) = (input, target)
            return Lesson.mse(input, target)
        }
        /// Sets the input's gradient.
        public func backward() { Lesson.mseGrad(remembered(input), remembered(target)) }
    }

    /// The lesson's model as layer objects: `[Lin(w1, b1), Relu(), Lin(w2, b2)]` and an `Mse` loss.
    public final class Model {
        /// The layers, in forward order.
        public let layers: [LessonLayer]
        /// The loss.
        public let loss = Mse()

        /// The model of the lesson's parameters.
        public init(_ p: Parameters) { layers = [Lin(p.w1, p.b1), Relu(), Lin(p.w2, p.b2)] }

        /// The loss of the model on `x` `[n, 100]` against `target` `[n]`.
        public func callAsFunction(_ x: Tensor, _ target: Tensor) -> Tensor {
            loss(layers.reduce(x) { input, layer in layer(input) }, target)
        }

        /// The backward pass: the loss's, then each layer's in reverse.
        public func backward() {
            loss.backward()
            for layer in layers.reversed() { layer.backward() }
        }
    }
}

private func remembered(_ tensor: Tensor?) -> Tensor {
    guard let tensor else { fatalError("backward() called before the forward pass") }
    return tensor
}
