import TensorCore

extension Sequential {
    /// A multilayer perceptron `Linear(sizes[0], sizes[1]), ReLU(), …, Linear(sizes[n-2], sizes[n-1])`: the
    /// model `swiftgrad train` builds, and PyTorch's `nn.Sequential(nn.Linear, nn.ReLU, …)`, parameter names
    /// included (`0.weight`, `2.weight`, …); ``fused()``, so each `Linear → ReLU` is one product.
    ///
    /// **Shapes:** `[n, sizes.first]` → `[n, sizes.last]`.
    public static func multilayerPerceptron(_ sizes: [Int], generator: RandomGenerator? = nil) -> Sequential {
        require(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "multilayerPerceptron: needs at least two positive sizes, got \(sizes)")
        var layers: [Module] = []
        for (i, (input, output)) in zip(sizes, sizes.dropFirst()).enumerated() {
            if i > 0 { layers.append(ReLU()) }
            layers.append(Linear(input, output, generator: generator))
        }
        return Sequential(layers).fused()
    }

    /// The layer sizes of the multilayer perceptron whose parameters `state` holds (`0.weight` [h1, in],
    /// `0.bias`, `2.weight` [h2, h1], …), as PyTorch saves `nn.Sequential(Linear, ReLU, …, Linear)`.
    ///
    /// - Throws: ``StateDictError`` when the names or shapes do not form such a chain.
    public static func multilayerPerceptronSizes(of state: [String: Tensor]) throws -> [Int] {
        var sizes: [Int] = []
        var index = 0
        var used: Set<String> = []
        while let weight = state["\(index).weight"] {
            guard weight.rank == 2 else {
                throw StateDictError(missing: [], unexpected: [], mismatchedShapes: ["\(index).weight: \(weight.shape) is not a matrix"])
            }
            if sizes.isEmpty { sizes.append(weight.shape[1]) }
            guard weight.shape[1] == sizes.last! else {
                throw StateDictError(missing: [], unexpected: [], mismatchedShapes: ["\(index).weight: \(weight.shape) does not take the previous layer's \(sizes.last!) outputs"])
            }
            guard state["\(index).bias"]?.shape == [weight.shape[0]] else {
                throw StateDictError(missing: ["\(index).bias"], unexpected: [], mismatchedShapes: [])
            }
            sizes.append(weight.shape[0])
            used.formUnion(["\(index).weight", "\(index).bias"])
            index += 2
        }
        let unexpected = state.keys.filter { !used.contains($0) }.sorted()
        guard sizes.count >= 2, unexpected.isEmpty else {
            throw StateDictError(missing: sizes.count >= 2 ? [] : ["0.weight"], unexpected: unexpected, mismatchedShapes: [])
        }
        return sizes
    }
}
