import KernelSupport

/// The optimizers' fused updates: one pass over a parameter, its gradient and its state, in PyTorch's order of
/// operations.
enum OptimizerUpdates {
    /// SGD with momentum, dampening, Nesterov and L2 weight decay, on elements `range`.
    ///
    /// Without a buffer the loop must not mention `b`: the vectoriser turned `if let b` into masked loads from the
    /// nil pointer, and each masked-off load of an unmapped address is a microcode assist (40× slower).
    static func sgd(_ range: Range<Int>, p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
                   b: UnsafeMutablePointer<Float>?, first: Bool, settings: SGDSettings) {
        let (lr, mu, dampening) = (settings.learningRate, settings.momentum, settings.dampening)
        let (nesterov, decay) = (settings.nesterov, settings.weightDecay)
        guard let b else {
            for j in range { p[j] -= lr * (decay == 0 ? g[j] : g[j] + decay * p[j]) }
            return
        }
        for j in range {
            let d = decay == 0 ? g[j] : g[j] + decay * p[j]
            b[j] = first ? d : mu * b[j] + (1 - dampening) * d
            p[j] -= lr * (nesterov ? d + mu * b[j] : b[j])
        }
    }

    /// Adam (and AdamW, whose decoupled decay shrinks the parameter first) on elements `range`.
    static func adam(_ range: Range<Int>, p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
                    m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, settings: AdamSettings) {
        let (stepSize, keep1, beta2, keep2) = (settings.stepSize, settings.keep1, settings.beta2, settings.keep2)
        let (correction2Root, eps, shrink, l2) = (settings.correction2Root, settings.epsilon, settings.shrink, settings.l2)
        for j in range {
            let q = p[j] * shrink
            let d = l2 == 0 ? g[j] : g[j] + l2 * q
            m[j] += (d - m[j]) * keep1
            v[j] = v[j] * beta2 + keep2 * d * d
            p[j] = q - stepSize * m[j] / (Float.sqrt(v[j]) / correction2Root + eps)
        }
    }
}
