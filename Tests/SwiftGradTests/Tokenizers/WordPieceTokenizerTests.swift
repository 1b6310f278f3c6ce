import Foundation
import Testing
@testable import Tokenizers

/// The WordPiece tokenizer against Hugging Face's `tokenizers` on a corpus of awkward text
/// (`scripts/make_tokenizer_fixtures.py`): the same ids, tokens, type ids, offsets and masks, exactly.
@Suite struct WordPieceTokenizerTests {
    static func resource(_ name: String) -> URL {
        Bundle.module.url(forResource: "Resources", withExtension: nil)!.appendingPathComponent("tokenizers/\(name)")
    }

    static func json(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: resource(name)))
    }

    /// The reference encoding in `object` as an `Encoding`.
    static func expected(_ object: Any) throws -> Encoding {
        let entry = try #require(object as? [String: Any])
        let offsets = try #require(entry["offsets"] as? [[Int]]).map { $0[0]..<$0[1] }
        return Encoding(ids: try #require(entry["ids"] as? [Int]), tokens: try #require(entry["tokens"] as? [String]),
                        typeIds: try #require(entry["type_ids"] as? [Int]), offsets: offsets,
                        attentionMask: try #require(entry["attention_mask"] as? [Int]))
    }

    @Test func awkwardTextEncodesAsHuggingFaceDoes() throws {
        let tokenizer = try WordPieceTokenizer(contentsOf: Self.resource("wordpiece/tokenizer.json"))
        let texts = try #require(try Self.json("awkward.json") as? [String])
        let reference = try #require(try Self.json("wordpiece_expected.json") as? [String: Any])
        let singles = try #require(reference["single"] as? [Any])
        #expect(texts.count == singles.count && texts.count >= 20)
        for (text, expected) in zip(texts, singles) {
            let encoding = tokenizer.encode(text), wanted = try Self.expected(expected)
            #expect(encoding.tokens == wanted.tokens, "\(text.debugDescription)")
            #expect(encoding == wanted, "\(text.debugDescription)")
        }
        #expect(tokenizer.encode(texts[0], pair: texts[4]) == (try Self.expected(try #require(reference["pair"]))))
        let batch = try #require(reference["batch"] as? [Any]).map(Self.expected)
        #expect(tokenizer.encode(batch: Array(texts.prefix(5))) == batch)
    }

    @Test func vocabularyFileGivesTheSameTokenizer() throws {
        let fromJSON = try WordPieceTokenizer(contentsOf: Self.resource("wordpiece/tokenizer.json"))
        let fromText = try WordPieceTokenizer(vocabularyFile: Self.resource("wordpiece/vocab.txt"), maxLength: 64)
        #expect(fromText.vocabulary == fromJSON.vocabulary)
        for text in try #require(try Self.json("awkward.json") as? [String]) {
            #expect(fromText.encode(text) == fromJSON.encode(text))
        }
    }

    @Test func decodingGluesPiecesAndDropsSpecialTokens() throws {
        let tokenizer = try WordPieceTokenizer(contentsOf: Self.resource("wordpiece/tokenizer.json"))
        #expect(tokenizer.decode(tokenizer.encode("Hello, world! I'm here.").ids) == "hello, world! i'm here.")
        #expect(tokenizer.decode(tokenizer.encode("hello").ids, skippingSpecialTokens: false) == "[CLS] hello [SEP]")
    }

    @Test func badFilesAreOneLineErrors() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sg-tok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("missing.json")
        #expect(throws: TokenizerError(path: missing.path, problem: "cannot be read (no such file)")) {
            try WordPieceTokenizer(contentsOf: missing)
        }
        let bpe = folder.appendingPathComponent("bpe.json")
        try Data(#"{"model": {"type": "BPE", "vocab": {}, "merges": []}}"#.utf8).write(to: bpe)
        #expect(throws: TokenizerError(path: bpe.path, problem: "model type BPE is not WordPiece")) {
            try WordPieceTokenizer(contentsOf: bpe)
        }
        let garbage = folder.appendingPathComponent("garbage.json")
        try Data([0xff, 0xfe, 0x00]).write(to: garbage)
        #expect(throws: TokenizerError(path: garbage.path, problem: "not a JSON object")) { try WordPieceTokenizer(contentsOf: garbage) }
        #expect(throws: TokenizerError.self) { try WordPieceTokenizer(vocabulary: ["a": 0]) }
    }
}

extension WordPieceTokenizerTests {
    /// A real model's tokenizer (all-MiniLM-L6-v2's, say) against Hugging Face's encodings of the awkward corpus,
    /// when `scripts/check_tokenizers.py` names them in `SWIFTGRAD_TOKENIZER_CHECK` (`tokenizer.json:expected.json`);
    /// skipped otherwise, as in CI.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SWIFTGRAD_TOKENIZER_CHECK"] != nil))
    func realTokenizerMatchesHuggingFace() throws {
        let paths = try #require(ProcessInfo.processInfo.environment["SWIFTGRAD_TOKENIZER_CHECK"]).split(separator: ":")
        let tokenizer = try WordPieceTokenizer(contentsOf: URL(fileURLWithPath: String(paths[0])))
        let check = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: String(paths[1])))) as? [String: Any])
        let texts = try #require(check["texts"] as? [String]), expected = try #require(check["expected"] as? [[String: Any]])
        for (text, wanted) in zip(texts, expected) {
            let encoding = tokenizer.encode(text)
            #expect(encoding.ids == wanted["ids"] as? [Int], "\(text.debugDescription)")
            #expect(encoding.offsets.map { [$0.lowerBound, $0.upperBound] } == wanted["offsets"] as? [[Int]], "\(text.debugDescription)")
        }
    }
}

/// The byte-level BPE tokenizer against Hugging Face's `tokenizers` (a GPT-2-style tokenizer trained by
/// `scripts/make_tokenizer_fixtures.py`): the same ids, tokens and offsets on the awkward corpus, and decoding back
/// to the exact text.
@Suite struct ByteLevelBPETokenizerTests {
    @Test func awkwardTextEncodesAsHuggingFaceDoesAndDecodesExactly() throws {
        let tokenizer = try ByteLevelBPETokenizer(contentsOf: WordPieceTokenizerTests.resource("bpe/tokenizer.json"))
        let fromFiles = try ByteLevelBPETokenizer(vocabularyFile: WordPieceTokenizerTests.resource("bpe/vocab.json"),
                                                  mergesFile: WordPieceTokenizerTests.resource("bpe/merges.txt"))
        let texts = try #require(try WordPieceTokenizerTests.json("awkward.json") as? [String])
        let reference = try #require(try WordPieceTokenizerTests.json("bpe_expected.json") as? [[String: Any]])
        #expect(texts.count == reference.count)
        for (text, expected) in zip(texts, reference) {
            let encoding = tokenizer.encode(text)
            #expect(encoding.tokens == expected["tokens"] as? [String], "\(text.debugDescription)")
            #expect(encoding.ids == expected["ids"] as? [Int], "\(text.debugDescription)")
            #expect(encoding.offsets.map { [$0.lowerBound, $0.upperBound] } == expected["offsets"] as? [[Int]], "\(text.debugDescription)")
            #expect(tokenizer.decode(encoding.ids) == text && expected["decoded"] as? String == text)
            #expect(fromFiles.encode(text) == encoding)
        }
    }

    @Test func gpt2sPatternSplitsAsTheRegexDoes() {
        func pieces(_ text: String) -> [String] {
            let scalars = Array(text.unicodeScalars)
            return ByteLevel.pieces(scalars).map { String(String.UnicodeScalarView(scalars[$0])) }
        }
        #expect(pieces("Hello world") == ["Hello", " world"])
        #expect(pieces("it's  two\tspaces \n") == ["it", "'s", " ", " two", "\t", "spaces", " \n"])
        #expect(pieces("a\t\tb 123!? 'tis") == ["a", "\t", "\t", "b", " 123", "!?", " '", "tis"])
        #expect(pieces("") == [])
    }

    @Test func badFilesAreOneLineErrors() throws {
        #expect(throws: TokenizerError(path: WordPieceTokenizerTests.resource("wordpiece/tokenizer.json").path,
                                       problem: "model type WordPiece is not BPE")) {
            try ByteLevelBPETokenizer(contentsOf: WordPieceTokenizerTests.resource("wordpiece/tokenizer.json"))
        }
        #expect(throws: TokenizerError.self) { try ByteLevelBPETokenizer(vocabulary: ["a": 0], merges: []) }
    }
}

/// `loadTokenizer(contentsOf:)`: the kind a file names, read once, and one line for a kind it does not know.
@Suite struct LoadTokenizerTests {
    @Test func eachFileGivesItsKindWithTheSameEncodings() throws {
        let text = "Héllo, world! 猫 🙂"
        for (name, isWordPiece) in [("wordpiece/tokenizer.json", true), ("wordpiece/vocab.txt", true),
                                    ("bpe/tokenizer.json", false)] {
            let url = WordPieceTokenizerTests.resource(name)
            let tokenizer = try loadTokenizer(contentsOf: url)
            #expect((tokenizer is WordPieceTokenizer) == isWordPiece, "\(name)")
            let direct: any Tokenizer = isWordPiece ? (name.hasSuffix(".txt") ? try WordPieceTokenizer(vocabularyFile: url)
                                                                              : try WordPieceTokenizer(contentsOf: url))
                : try ByteLevelBPETokenizer(contentsOf: url)
            #expect(tokenizer.encode(text) == direct.encode(text), "\(name)")
            #expect(tokenizer.decode(tokenizer.encode(text).ids) == direct.decode(direct.encode(text).ids), "\(name)")
        }
    }

    @Test func anUnknownModelTypeIsOneLine() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sg-tok-\(UUID().uuidString).json")
        try Data(#"{"model": {"type": "Unigram", "vocab": []}}"#.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: TokenizerError(path: url.path, problem: "model type Unigram is not supported (WordPiece and BPE are)")) {
            try loadTokenizer(contentsOf: url)
        }
    }
}
