import Foundation
import Testing
@testable import SwiftGrad

@Suite struct TextDatasetTests {
    @Test func vocabularyEncodesAndDecodesEveryCharacterAndNamesAStrangerOne() throws {
        let vocabulary = CharacterVocabulary(text: "hello, wörld é\n")
        #expect(vocabulary.symbols == ["\n", " ", ",", "d", "e", "h", "l", "o", "r", "w", "é", "ö"])
        #expect(vocabulary.decode(try vocabulary.encode("wörld")) == "wörld")
        #expect(throws: DatasetError(path: "text", problem: "character 'x' at position 2 is not in the model's vocabulary of 12 characters")) {
            try vocabulary.encode("hex")
        }
        let decoded = try JSONDecoder().decode(CharacterVocabulary.self, from: try JSONEncoder().encode(vocabulary))
        #expect(decoded == vocabulary)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(CharacterVocabulary.self, from: Data(#"{"symbols":["a","a"]}"#.utf8))
        }
    }

    @Test func windowsAreTheTextAndItsNextTokens() throws {
        let tokens = Array(0..<50)
        let consecutive = try TextDataset(tokens: tokens, contextLength: 8, windows: .consecutive(limit: 100))
        #expect(consecutive.count == 6)
        let (x, y) = consecutive.batch([0, 5], generator: RandomGenerator(seed: 0))
        #expect(x.shape == [2, 8] && x[1].scalars == (40..<48).map(Float.init) && y[1].scalars == (41..<49).map(Float.init))
        let random = try TextDataset(tokens: tokens, contextLength: 8, windows: .random(count: 30))
        let (a, b) = random.batch(ArraySlice(0..<30), generator: RandomGenerator(seed: 4))
        #expect(a.shape == [30, 8] && (b - a).scalars.allSatisfy { $0 == 1 } && a.max().item() <= 48)
        #expect(random.batch(ArraySlice(0..<30), generator: RandomGenerator(seed: 4)).inputs.scalars == a.scalars)
        #expect(throws: DatasetError.self) { try TextDataset(tokens: Array(0..<8), contextLength: 8, windows: .random(count: 1)) }
    }

    @Test func corpusFilesMustBeTextWithSomethingInThem() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftgrad-text-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (binary, empty) = (folder.appendingPathComponent("binary"), folder.appendingPathComponent("empty.txt"))
        try Data([0x7f, 0x45, 0x4c, 0x46, 0, 1]).write(to: binary)
        try Data().write(to: empty)
        #expect(throws: DatasetError(path: binary.path, problem: "not UTF-8 text (a binary file?)")) { try TextCorpus(file: binary) }
        #expect(throws: DatasetError.self) { try TextCorpus(file: empty) }
        #expect(throws: DatasetError.self) { try TextCorpus(file: folder.appendingPathComponent("missing")) }
        let standard = try TextCorpus.standard()
        #expect(standard.text.unicodeScalars.count > 200_000)
    }
}
