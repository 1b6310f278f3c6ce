import TensorCore

/// Windows of a tokenised text for a language model: each example is `contextLength` tokens as input and the
/// same window moved one token on as target (nanoGPT's `get_batch`).
///
/// Training data draws each window's start at random (``TextDataset/Windows/random(count:)``), as nanoGPT does, from the
/// generator the ``DataLoader`` passes for the epoch, so a seed gives the same batches; validation data takes
/// consecutive windows (``TextDataset/Windows/consecutive(limit:)``), the same every time.
///
/// **Shapes:** inputs and targets `[batch, contextLength]`, token ids as float32 (exact below 2²⁴).
public struct TextDataset: Dataset {
    /// How examples are cut from the text.
    public enum Windows: Sendable, Equatable {
        /// `count` windows per epoch, each starting at a random position.
        case random(count: Int)
        /// Windows side by side from the start, at most `limit` of them (evenly spaced over the text when there
        /// is room for more).
        case consecutive(limit: Int)
    }

    /// The text's token ids.
    public let tokens: [Int]
    /// Tokens per example.
    public let contextLength: Int
    /// How examples are cut.
    public let windows: Windows

    /// Windows of `contextLength` tokens over `tokens`, which must hold at least `contextLength + 1`.
    public init(tokens: [Int], contextLength: Int, windows: Windows) throws {
        guard contextLength >= 1, tokens.count > contextLength else {
            throw DatasetError(path: "text", problem: "\(tokens.count) tokens are too few for windows of \(contextLength) (and one more to predict)")
        }
        (self.tokens, self.contextLength, self.windows) = (tokens, contextLength, windows)
    }

    /// Windows side by side that fit in the text.
    private var consecutiveCount: Int { (tokens.count - 1) / contextLength }

    public var count: Int {
        switch windows {
        case .random(let count): return count
        case .consecutive(let limit): return Swift.min(limit, consecutiveCount)
        }
    }

    public func batch(_ indices: ArraySlice<Int>, generator: RandomGenerator) -> (inputs: Tensor, targets: Tensor) {
        let t = contextLength
        var inputs = [Int](), targets = [Int]()
        inputs.reserveCapacity(indices.count * t)
        targets.reserveCapacity(indices.count * t)
        for index in indices {
            let start: Int
            switch windows {
            case .random: start = Int(generator.withLock { $0.nextInt(below: UInt64(tokens.count - t)) })
            case .consecutive: start = index * (consecutiveCount / count) * t
            }
            for p in start..<(start + t) {
                inputs.append(tokens[p])
                targets.append(tokens[p + 1])
            }
        }
        return (Tensor(shape: [indices.count, t], integers: inputs), Tensor(shape: [indices.count, t], integers: targets))
    }
}
