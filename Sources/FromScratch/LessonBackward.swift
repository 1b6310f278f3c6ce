import TensorCore

// The backward pass by the chain rule, by hand, as the lesson derives it: each function takes the tensors of one
// step of the forward pass and stores the gradient of the loss with respect to its input in `grad` (the lesson's
// `.g`). The lesson's own code reads undefined names here (`mse_grad` uses `inp` while its parameter is `input`,
// `relu_grad` uses `input`); these are the corrected versions.

extension Lesson {
    /// The gradient of `mse(input, target)` with respect to `input`: `2 (input − target) / n`, stored in
    /// `input.grad`.
    ///
    /// **Shapes:** input `[n, 1]`, target `[n]`; `input.grad` `[n, 1]`.
    public static func mseGrad(_ input: Tensor, _ target: Tensor) {
        input.grad = 2 * (input.squeezed(axis: -1) - target).unsqueezed(axis: -1) / Float(target.shape[0])
    }

    /// The gradient through `output = relu(input)`: `(input .> 0) · output.grad`, stored in `input.grad`.
    ///
    /// **Shapes:** input and output `[n, h]`.
    public static func reluGrad(_ input: Tensor, _ output: Tensor) {
        input.grad = (input .> 0) * gradient(of: output, in: "reluGrad")
    }

    /// The gradients through `output = input · w + b`: `input.grad = output.grad · wᵀ`,
    /// `w.grad = inputᵀ · output.grad`, `b.grad = output.grad` summed over the batch.
    ///
    /// **Shapes:** input `[n, in]`, w `[in, out]`, b `[out]`, output `[n, out]`.
    public static func linGrad(_ input: Tensor, _ output: Tensor, _ w: Tensor, _ b: Tensor) {
        let g = gradient(of: output, in: "linGrad")
        input.grad = g.matmul(w.transposed())
        w.grad = input.transposed().matmul(g)
        b.grad = g.sum(axis: 0)
    }

    /// The forward pass keeping every intermediate, then the backward pass by hand: afterwards `x.grad`,
    /// `w1.grad`, `b1.grad`, `w2.grad` and `b2.grad` hold the gradients of the loss.
    ///
    /// - Returns: the loss and the intermediates `l1` (first linear), `l2` (relu) and `out`, each with its grad.
    @discardableResult
    public static func forwardAndBackward(_ x: Tensor, _ y: Tensor, _ p: Parameters)
        -> (loss: Tensor, l1: Tensor, l2: Tensor, out: Tensor) {
        let l1 = lin(x, p.w1, p.b1)
        let l2 = relu(l1)
        let out = lin(l2, p.w2, p.b2)
        let loss = mse(out, y)
        mseGrad(out, y)
        linGrad(l2, out, p.w2, p.b2)
        reluGrad(l1, l2)
        linGrad(x, l1, p.w1, p.b1)
        return (loss, l1, l2, out)
    }

    static func gradient(of output: Tensor, in function: String) -> Tensor {
        guard let g = output.grad else {
            fatalError("\(function): the output has no grad yet; run the backward pass from the loss down")
        }
        return g
    }
}
