import NN
import TensorCore

extension Lesson {
    /// The lesson's last step: the same model as `nn.Sequential(nn.Linear(100, 50), nn.ReLU(), nn.Linear(50, 1))`
    /// from the library's modules, holding the lesson's weights (transposed: `Linear` stores out-by-in).
    ///
    /// **Shapes:** `[n, 100]` → `[n, 1]`.
    public static func moduleModel(_ p: Parameters) -> Sequential {
        let first = Linear(p.w1.shape[0], p.w1.shape[1]), second = Linear(p.w2.shape[0], p.w2.shape[1])
        first.weight.replaceValues(with: p.w1.transposed())
        first.bias?.replaceValues(with: p.b1)
        second.weight.replaceValues(with: p.w2.transposed())
        second.bias?.replaceValues(with: p.b2)
        return Sequential { first; ReLU(); second }.fused()
    }

    /// A deeper model of the lesson's kind, as modules: `inputs → hidden` then `hidden → hidden` `layers − 1` more
    /// times, each followed by ReLU, then `hidden → 1`; weights drawn with `initialization` (transposed into
    /// `Linear`'s out-by-in), biases zero. With the lesson's formula each layer multiplies the activations' scale
    /// by about fanIn/2, so depth turns its bug from large outputs into overflow.
    ///
    /// **Shapes:** `[n, inputs]` → `[n, 1]`.
    public static func deepModel(inputs: Int = 100, hidden: Int = 50, layers: Int = 4, _ initialization: Initialization,
                                 generator: RandomGenerator? = nil) -> Sequential {
        let sizes = [inputs] + Array(repeating: hidden, count: layers) + [1]
        var modules: [Module] = []
        for (fanIn, fanOut) in zip(sizes, sizes.dropFirst()) {
            let layer = Linear(fanIn, fanOut)
            layer.weight.replaceValues(with: weight(fanIn: fanIn, fanOut: fanOut, initialization, generator: generator).transposed())
            layer.bias?.replaceValues(with: Tensor.zeros([fanOut]))
            modules.append(layer)
            if fanOut != 1 { modules.append(ReLU()) }
        }
        return Sequential(modules).fused()
    }

    /// The largest difference between the hand-written gradients (``forwardAndBackward(_:_:_:)``) and the ones
    /// autograd computes for ``moduleModel(_:)`` with `loss.backward()`, over w1, b1, w2 and b2.
    public static func largestGradientDifference(_ x: Tensor, _ y: Tensor, _ p: Parameters) -> Float {
        let model = moduleModel(p)
        mse(model(x), y).backward()
        let manual = Parameters(w1: p.w1.copied(), b1: p.b1.copied(), w2: p.w2.copied(), b2: p.b2.copied())
        forwardAndBackward(x.detached(), y, manual)
        let layers = model.layers.compactMap { $0 as? Linear }
        let pairs: [(Tensor?, Tensor?)] = [
            (layers[0].weight.grad?.transposed(), manual.w1.grad), (layers[0].bias?.grad, manual.b1.grad),
            (layers[1].weight.grad?.transposed(), manual.w2.grad), (layers[1].bias?.grad, manual.b2.grad),
        ]
        return pairs.reduce(0) { worst, pair in
            guard let a = pair.0, let b = pair.1 else { return .infinity }
            return Swift.max(worst, (a - b).abs().max().item())
        }
    }
}
