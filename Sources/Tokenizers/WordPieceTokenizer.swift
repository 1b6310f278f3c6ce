import Foundation

/// BERT's tokenizer, as Hugging Face's `tokenizers` runs a `tokenizer.json` of type WordPiece: ``BertNormalizer``,
/// a split at whitespace and around punctuation, each word cut greedily into the longest pieces the vocabulary has
/// (`play`, `##ing`; a word with no such cut, or longer than ``maxInputCharactersPerWord``, is `[UNK]`), then
/// `[CLS] … [SEP]` (and `… [SEP]` for the second text of a pair), truncation and padding.
///
/// ```swift
/// let tokenizer = try WordPieceTokenizer(contentsOf: folder.appending(path: "tokenizer.json"))
/// let encoding = tokenizer.encode("Héllo, world!")   // [CLS] hello , world ! [SEP]
/// ```
public struct WordPieceTokenizer: Sendable {
    /// How text is cleaned up and lower-cased before it is split.
    public var normalizer: BertNormalizer
    /// Token to id.
    public let vocabulary: [String: Int]
    /// Id to token.
    public let tokens: [String]
    /// What a word with no cut into known pieces becomes.
    public var unknownToken: String
    /// The prefix of a piece that continues a word (`##`).
    public var continuingSubwordPrefix: String
    /// Words longer than this (in Unicode scalars) become ``unknownToken`` whole.
    public var maxInputCharactersPerWord: Int
    /// The tokens around a text: `[CLS]` before, `[SEP]` after (and after a pair's second text).
    public var classifierToken: String, separatorToken: String
    /// The token, id and segment of padding positions.
    public var paddingToken: String
    /// The most positions an encoding has, special tokens included (the text is cut to fit); nil for no limit.
    public var maxLength: Int?

    /// A tokenizer over `vocabulary` (token to id, ids 0..<count with no gap) with BERT's special tokens.
    ///
    /// - Throws: ``TokenizerError`` when the vocabulary lacks a special token or its ids are not 0..<count.
    public init(vocabulary: [String: Int], normalizer: BertNormalizer = BertNormalizer(), unknownToken: String = "[UNK]",
                continuingSubwordPrefix: String = "##", maxInputCharactersPerWord: Int = 100,
                classifierToken: String = "[CLS]", separatorToken: String = "[SEP]", paddingToken: String = "[PAD]",
                maxLength: Int? = nil, path: String = "<memory>") throws {
        var tokens = Array(repeating: "", count: vocabulary.count)
        for (token, id) in vocabulary {
            guard (0..<vocabulary.count).contains(id), tokens[id].isEmpty else {
                throw TokenizerError(path: path, problem: "vocabulary ids must be 0..<\(vocabulary.count) once each; '\(token)' has \(id)")
            }
            tokens[id] = token
        }
        for special in [unknownToken, classifierToken, separatorToken, paddingToken] where vocabulary[special] == nil {
            throw TokenizerError(path: path, problem: "the vocabulary has no \(special) token")
        }
        if let maxLength, maxLength < 2 {
            throw TokenizerError(path: path, problem: "maximum length \(maxLength) leaves no room for [CLS] and [SEP]")
        }
        (self.vocabulary, self.tokens, self.normalizer) = (vocabulary, tokens, normalizer)
        (self.unknownToken, self.continuingSubwordPrefix, self.maxInputCharactersPerWord) =
            (unknownToken, continuingSubwordPrefix, maxInputCharactersPerWord)
        (self.classifierToken, self.separatorToken, self.paddingToken, self.maxLength) =
            (classifierToken, separatorToken, paddingToken, maxLength)
    }

    /// The ids, tokens and offsets of `text` (and of `pair`, the second text, with type id 1), cut to
    /// ``maxLength`` (the longer text first, as Hugging Face's `LongestFirst`).
    public func encode(_ text: String, pair: String? = nil) -> Encoding {
        var first = pieces(text), second = pair.map(pieces)
        if let maxLength {
            var excess = first.count + (second?.count ?? 0) + (second == nil ? 2 : 3) - maxLength
            while excess > 0 {
                if let b = second, b.count > first.count { second = Array(b.dropLast()) } else { first.removeLast() }
                excess -= 1
            }
        }
        var encoding = Encoding(ids: [], tokens: [], typeIds: [], offsets: [], attentionMask: [])
        func append(_ token: String, _ id: Int, _ type: Int, _ offsets: Range<Int>) {
            encoding.ids.append(id)
            encoding.tokens.append(token)
            encoding.typeIds.append(type)
            encoding.offsets.append(offsets)
            encoding.attentionMask.append(1)
        }
        append(classifierToken, vocabulary[classifierToken]!, 0, 0..<0)
        for piece in first { append(tokens[piece.id], piece.id, 0, piece.offsets) }
        append(separatorToken, vocabulary[separatorToken]!, 0, 0..<0)
        if let second {
            for piece in second { append(tokens[piece.id], piece.id, 1, piece.offsets) }
            append(separatorToken, vocabulary[separatorToken]!, 1, 0..<0)
        }
        return encoding
    }

    /// The encodings of `texts`, padded with ``paddingToken`` to the longest (or to `length`).
    public func encode(batch texts: [String], padding length: Int? = nil) -> [Encoding] {
        var encodings = texts.map { encode($0) }
        let target = Swift.max(length ?? 0, encodings.map(\.count).max() ?? 0)
        let padding = vocabulary[paddingToken]!
        for i in encodings.indices {
            let missing = target - encodings[i].count
            guard missing > 0 else { continue }
            encodings[i].ids += Array(repeating: padding, count: missing)
            encodings[i].tokens += Array(repeating: paddingToken, count: missing)
            encodings[i].typeIds += Array(repeating: 0, count: missing)
            encodings[i].offsets += Array(repeating: 0..<0, count: missing)
            encodings[i].attentionMask += Array(repeating: 0, count: missing)
        }
        return encodings
    }

    /// The text of `ids`: tokens joined by spaces, continuing pieces glued to the piece before, special tokens
    /// dropped when `skippingSpecialTokens`, and spaces before punctuation removed (Hugging Face's WordPiece decoder
    /// with `cleanup`).
    public func decode(_ ids: [Int], skippingSpecialTokens: Bool = true) -> String {
        let specials: Set<String> = [classifierToken, separatorToken, paddingToken]
        var text = ""
        for id in ids where tokens.indices.contains(id) {
            let token = tokens[id]
            if skippingSpecialTokens && specials.contains(token) { continue }
            if token.hasPrefix(continuingSubwordPrefix) {
                text += token.dropFirst(continuingSubwordPrefix.count)
            } else {
                text += (text.isEmpty ? "" : " ") + token
            }
        }
        for (spaced, tight) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                                (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
            text = text.replacingOccurrences(of: spaced, with: tight)
        }
        return text
    }

    /// The vocabulary pieces of `text`, with their spans in it.
    func pieces(_ text: String) -> [(id: Int, offsets: Range<Int>)] {
        let normalized = normalizer.normalize(AlignedText(text))
        var result: [(id: Int, offsets: Range<Int>)] = []
        for word in Self.words(normalized.scalars) {
            for (id, range) in wordPieces(normalized.scalars[word]) {
                result.append((id, normalized.sources[range.lowerBound]..<(normalized.sources[range.upperBound - 1] + 1)))
            }
        }
        return result
    }

    /// The words of normalised text: split at whitespace (dropped) and around each punctuation scalar (kept alone).
    static func words(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
        var words: [Range<Int>] = []
        var start: Int?
        for (i, scalar) in scalars.enumerated() {
            if BertCharacters.isWhitespace(scalar) {
                if let s = start { words.append(s..<i) }
                start = nil
            } else if BertCharacters.isPunctuation(scalar) {
                if let s = start { words.append(s..<i) }
                words.append(i..<(i + 1))
                start = nil
            } else if start == nil {
                start = i
            }
        }
        if let s = start { words.append(s..<scalars.count) }
        return words
    }

    /// A word's pieces (id and scalar range, in the normalised text), longest first from the left; the whole word
    /// as the unknown token when a part matches nothing or the word is too long.
    private func wordPieces(_ word: ArraySlice<Unicode.Scalar>) -> [(Int, Range<Int>)] {
        let unknown = [(vocabulary[unknownToken]!, word.startIndex..<word.endIndex)]
        if word.count > maxInputCharactersPerWord { return unknown }
        var pieces: [(Int, Range<Int>)] = []
        var start = word.startIndex
        while start < word.endIndex {
            var end = word.endIndex, found: Int?
            while start < end {
                var candidate = start == word.startIndex ? "" : continuingSubwordPrefix
                candidate.unicodeScalars.append(contentsOf: word[start..<end])
                if let id = vocabulary[candidate] { found = id; break }
                end -= 1
            }
            guard let found else { return unknown }
            pieces.append((found, start..<end))
            start = end
        }
        return pieces
    }
}
