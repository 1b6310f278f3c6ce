import Foundation
import Testing
@testable import NN
@testable import Pretrained
@testable import TensorCore

/// A small random BERT saved by `transformers` (`scripts/make_pretrained_fixtures.py`) against what `transformers`
/// computes: the hidden states of a padded batch within 1e-4, and sentence-transformers' mean-pooled, normalised
/// embeddings within 1e-5 per element (cosine similarity above 0.99999).
@Suite struct SentenceEmbedderTests {
    static let folder = Bundle.module.url(forResource: "Resources", withExtension: nil)!.appendingPathComponent("pretrained/bert-tiny")

    static func expected() throws -> [String: Any] {
        let url = Bundle.module.url(forResource: "Resources", withExtension: nil)!.appendingPathComponent("pretrained/bert_tiny_expected.json")
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    @Test func hiddenStatesAndEmbeddingsMatchTransformers() throws {
        let embedder = try SentenceEmbedder(folder: Self.folder)
        let reference = try Self.expected()
        let ids = try #require(reference["ids"] as? [[Int]]), mask = try #require(reference["attention_mask"] as? [[Int]])
        let shape = [ids.count, ids[0].count]
        // The tokenizer cut at sentence_bert_config.json's 24 gives the reference's ids.
        let texts = try #require(reference["texts"] as? [String])
        let padded = embedder.tokenizer.encode(batch: texts)
        #expect(padded.map(\.ids) == ids && padded.map(\.attentionMask) == mask)
        let hidden = withoutGradient {
            embedder.model.hiddenStates(Tensor(shape: shape, integers: ids.flatMap { $0 }),
                                        attentionMask: Tensor(shape: shape, integers: mask.flatMap { $0 }))
        }
        let wantedHidden = try Fixture.tensor(try #require(reference["hidden"]))
        assertClose(hidden, wantedHidden, relative: 1e-4, absolute: 1e-4)
        // Unpadded, end to end (with an empty sequence among them): the rows of each sequence's real positions.
        let lengths = mask.map { $0.reduce(0, +) } + [0]
        let packed = withoutGradient {
            embedder.model.packedHiddenStates(Tensor(shape: [lengths.reduce(0, +)], integers: zip(ids, lengths).flatMap { $0.prefix($1) }),
                                              lengths: lengths)
        }
        let realRows = Tensor.concatenated(zip(0..., lengths.dropLast()).map { wantedHidden[$0, 0..<$1] })
        assertClose(packed, realRows, relative: 1e-4, absolute: 1e-4)
        let embeddings = embedder.embed(texts, batchSize: 2)
        let wanted = try Fixture.tensor(try #require(reference["embeddings"]))
        assertClose(embeddings, wanted, relative: 0, absolute: 1e-5)
        let cosines = (embeddings * wanted).sum(axis: 1)
        #expect(cosines.scalars.allSatisfy { $0 > 0.99999 })
    }

    @Test func foldersThatCannotBeUsedAreOneLineErrors() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("sg-pre-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(throws: PretrainedError(path: empty.appendingPathComponent("config.json").path,
                                        problem: "no such file (is \(empty.path) a model folder?)")) {
            try SentenceEmbedder(folder: empty)
        }
        try Data(#"{"model_type": "gpt2"}"#.utf8).write(to: empty.appendingPathComponent("config.json"))
        #expect(throws: PretrainedError(path: empty.appendingPathComponent("config.json").path,
                                        problem: "model_type gpt2 is not supported (bert is)")) {
            try SentenceEmbedder(folder: empty)
        }
        // The right configuration with weights of another size.
        let config = try Data(contentsOf: Self.folder.appendingPathComponent("config.json"))
        let wider = String(decoding: config, as: UTF8.self).replacingOccurrences(of: "\"hidden_size\": 32", with: "\"hidden_size\": 64")
        try Data(wider.utf8).write(to: empty.appendingPathComponent("config.json"))
        try FileManager.default.copyItem(at: Self.folder.appendingPathComponent("model.safetensors"),
                                         to: empty.appendingPathComponent("model.safetensors"))
        #expect(throws: PretrainedError.self) { try SentenceEmbedder(folder: empty) }
    }
}

/// A small random GPT2LMHeadModel saved by `transformers` (`scripts/make_pretrained_fixtures.py`) loaded into
/// SwiftGrad's GPT: the prompt's logits within 1e-4, and the same 50 greedy tokens as `transformers`' generate.
@Suite struct TextGeneratorTests {
    static let folder = Bundle.module.url(forResource: "Resources", withExtension: nil)!.appendingPathComponent("pretrained/gpt2-tiny")

    @Test func logitsAndGreedyTokensMatchTransformers() throws {
        let url = Bundle.module.url(forResource: "Resources", withExtension: nil)!.appendingPathComponent("pretrained/gpt2_tiny_expected.json")
        let reference = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let generator = try TextGenerator(folder: Self.folder)
        #expect(generator.model.configuration.activation == .tanh)
        let prompt = try #require(reference["prompt"] as? String), ids = try #require(reference["ids"] as? [Int])
        #expect(generator.tokenizer.encode(prompt).ids == ids)
        let logits = withoutGradient { generator.model(Tensor(shape: [1, ids.count], integers: ids)) }[0]
        assertClose(logits, try Fixture.tensor(try #require(reference["logits"])), relative: 1e-4, absolute: 1e-4)
        let greedy = try #require(reference["greedy"] as? [Int])
        #expect(generator.model.generate(after: ids, count: 50, sampling: Sampling(temperature: 0)) == greedy)
        var streamed = ""
        let text = generator.generate(after: prompt, tokens: 50, sampling: Sampling(temperature: 0)) { streamed += $0 }
        #expect(text == generator.tokenizer.decode(greedy) && streamed == text)
    }

    @Test func foldersOfOtherModelsAreRefused() {
        #expect(throws: PretrainedError(path: SentenceEmbedderTests.folder.appendingPathComponent("config.json").path,
                                        problem: "model_type bert is not supported (gpt2 is)")) {
            try TextGenerator(folder: SentenceEmbedderTests.folder)
        }
    }
}
