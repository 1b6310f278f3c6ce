import NN
import Testing
@testable import TensorCore

/// `Module.convertParameters(to:)`: weights held in bfloat16 for inference, the same numbers as float32 weights
/// under autocast where both read weights and activations as bfloat16 in every product (an MLP); a GPT's attention,
/// whose products have no weight, stays float32 with bfloat16 weights but not under autocast.
@Suite struct BFloat16WeightTests {
    @Test func anMLPWithBFloat16WeightsIsTheFloat32OneUnderAutocast() {
        let g = RandomGenerator(seed: 8)
        let model = Sequential { Linear(20, 16, generator: g); ReLU(); Linear(16, 5, generator: g) }
        let x = Tensor.randn([7, 20], generator: g), one = x[..<1]
        let expected = withAutocast { model(x) }, expectedOne = withAutocast { model(one) }
        let bytes = model.parameters().map { $0.count * $0.dtype.byteSize }.reduce(0, +)
        model.convertParameters(to: .bfloat16)
        #expect(model.parameters().map(\.dtype) == [.bfloat16, .float32, .bfloat16, .float32])
        #expect(model.parameters().map { $0.count * $0.dtype.byteSize }.reduce(0, +) < bytes * 6 / 10)
        #expect(model(x).scalars == expected.scalars && model(one).scalars == expectedOne.scalars)
    }

    @Test func aGPTWithBFloat16WeightsIsWithinBFloat16ErrorOfAutocastAndGenerates() {
        let configuration = GPTConfiguration(vocabularySize: 11, contextLength: 16, layers: 2, heads: 2, embedding: 32)
        let model = GPT(configuration, generator: RandomGenerator(seed: 9))
        model.eval()
        let tokens = Tensor(shape: [2, 6], integers: [1, 4, 2, 7, 0, 3, 5, 5, 9, 1, 2, 8])
        let floatLogits = withoutGradient { model(tokens) }
        // Autocast reads the products' weights as bfloat16 but adds the embeddings' rows as they are: round those
        // first, as converting them does.
        for table in [model.body.tokenEmbedding.weight, model.body.positionEmbedding.weight] {
            table.replaceValues(with: table.to(.bfloat16))
        }
        let logits = withoutGradient { withAutocast { model(tokens) } }
        model.convertParameters(to: .bfloat16)
        let converted = withoutGradient { model(tokens) }
        #expect(converted.dtype == .float32)
        // Only the attention differs (float32 here, bfloat16 blocks under autocast): 2⁻⁸ per rounded operand.
        assertClose(converted, logits, relative: 0.02, absolute: 0.02, "against autocast")
        #expect(converted.scalars != logits.scalars)
        // Against float32 weights: within what bfloat16 operands imply for these sizes.
        assertClose(converted, floatLogits, relative: 0.05, absolute: 0.05, "against float32")
        #expect(model.generate(after: [1, 2, 3], count: 5, sampling: Sampling(temperature: 1, topK: 1)).count >= 5)
    }
}
