import Foundation
import TensorCore

/// How ``GPT/generate(after:count:sampling:cache:generator:onToken:)`` picks each token.
public struct Sampling: Sendable, Equatable {
    /// Divides the logits: below 1 sharper, above 1 flatter; 0 always takes the most likely token.
    public var temperature: Float
    /// Draw from the `topK` most likely tokens only (nil: from all).
    public var topK: Int?

    /// Sampling at `temperature` from the `topK` most likely tokens (all when nil), as nanoGPT's `generate`.
    public init(temperature: Float = 1, topK: Int? = nil) {
        (self.temperature, self.topK) = (temperature, topK)
    }

    /// A token drawn from `logits` `[vocabulary]` with `generator`.
    func pick(_ logits: [Float], generator: RandomGenerator) -> Int {
        if temperature == 0 { return logits.indices.max { logits[$0] < logits[$1] } ?? 0 }
        var scaled = logits.map { Double($0) / Double(temperature) }
        if let topK, topK < scaled.count {
            let threshold = scaled.sorted(by: >)[Swift.max(topK, 1) - 1]
            scaled = scaled.map { $0 < threshold ? -.infinity : $0 }
        }
        let top = scaled.max() ?? 0
        let weights = scaled.map { Foundation.exp($0 - top) }
        var remaining = Tensor.rand([], dtype: .float64, generator: generator).elements(as: Double.self)[0] * weights.reduce(0, +)
        for (token, weight) in weights.enumerated() where weight > 0 {
            remaining -= weight
            if remaining < 0 { return token }
        }
        return weights.lastIndex { $0 > 0 } ?? 0
    }
}

extension GPT {
    /// Continues `prompt` by `count` tokens, sampled one at a time as `sampling` says, calling `onToken` with each
    /// as soon as it is chosen (to stream it). Runs in evaluation mode with no gradient recorded.
    ///
    /// With `cache` (the default), each new token costs one position: the keys and values of the positions before
    /// it are kept (``KeyValueCache``) instead of computed again for the whole prefix. Past the context, the model
    /// reads the last `contextLength` tokens, as nanoGPT crops them; their positions then shift at every token, so
    /// the cache no longer applies and each token costs the whole window, as without it.
    ///
    /// - Parameters:
    ///   - prompt: token ids to continue (at least one), each in `0..<vocabularySize`.
    ///   - count: tokens to generate.
    ///   - sampling: how each token is picked from the logits.
    ///   - cache: whether to keep keys and values between tokens (the same tokens either way, faster with it).
    ///   - generator: where the draws come from (the global generator by default).
    ///   - onToken: called with each new token as soon as it is picked.
    /// - Returns: the new tokens.
    public func generate(after prompt: [Int], count: Int, sampling: Sampling = Sampling(), cache: Bool = true,
                         generator: RandomGenerator? = nil, onToken: (Int) -> Void = { _ in }) -> [Int] {
        require(!prompt.isEmpty, "GPT.generate: the prompt needs at least one token")
        require(prompt.allSatisfy { $0 >= 0 && $0 < configuration.vocabularySize },
                "GPT.generate: prompt tokens must be in 0..<\(configuration.vocabularySize)")
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        let context = configuration.contextLength
        let keyValues = cache ? KeyValueCache(layers: configuration.layers) : nil
        var tokens = prompt, generated: [Int] = []
        for _ in 0..<count {
            let logits: Tensor = withoutGradient {
                if let keyValues, tokens.count <= context {
                    let fresh = Array(tokens[keyValues.count...])
                    return self.logits(Tensor(shape: [1, fresh.count], integers: fresh), cache: keyValues)
                }
                keyValues?.clear()
                let window = Array(tokens.suffix(context))
                return self.logits(Tensor(shape: [1, window.count], integers: window), cache: nil)
            }
            let next = sampling.pick(logits[0, -1].scalars, generator: generator ?? .global)
            tokens.append(next)
            generated.append(next)
            onToken(next)
        }
        return generated
    }
}
