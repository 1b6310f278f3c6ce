import Foundation

/// GPT-2's tokenizer, as Hugging Face's `tokenizers` runs a byte-level BPE `tokenizer.json` (or `vocab.json` with
/// `merges.txt`): the text split by GPT-2's pattern (contractions, runs of letters, of digits and of other symbols,
/// each with the space before it, and whitespace), each piece's UTF-8 bytes written as printable characters
/// (GPT-2's byte-to-unicode table: `Ġ` is a space), merged pair by pair in the order the merges rank them, and the
/// results looked up in the vocabulary. Every byte has a token, so nothing is unknown, and decoding gives back the
/// exact text.
///
/// ```swift
/// let gpt2 = try ByteLevelBPETokenizer(vocabularyFile: folder.appending(path: "vocab.json"),
///                                      mergesFile: folder.appending(path: "merges.txt"))
/// let ids = gpt2.encode("Hello world").ids          // [15496, 995] with GPT-2's files
/// ```
public final class ByteLevelBPETokenizer: @unchecked Sendable {
    /// Token (in byte-to-unicode characters) to id.
    public let vocabulary: [String: Int]
    /// Id to token.
    public let tokens: [String]
    /// Each merge's rank (lower merges first), keyed by the pair.
    private let ranks: [Pair: Int]
    /// Pieces already split, by their byte-to-unicode text. Guarded by `lock`.
    private var cache: [String: [Int]] = [:]
    private let lock = NSLock()

    struct Pair: Hashable {
        let left: String, right: String
    }

    /// A tokenizer over `vocabulary` (token to id) and `merges` (pairs of tokens, first merged first).
    ///
    /// - Throws: ``TokenizerError`` when a merge's result or one of the 256 byte tokens is not in the vocabulary.
    public init(vocabulary: [String: Int], merges: [(String, String)], path: String = "<memory>") throws {
        var tokens = Array(repeating: "", count: (vocabulary.values.max() ?? -1) + 1)
        for (token, id) in vocabulary {
            guard id >= 0 else { throw TokenizerError(path: path, problem: "token '\(token)' has the negative id \(id)") }
            tokens[id] = token
        }
        var ranks: [Pair: Int] = [:]
        for (rank, (left, right)) in merges.enumerated() where ranks[Pair(left: left, right: right)] == nil {
            guard vocabulary[left + right] != nil else {
                throw TokenizerError(path: path, problem: "merge \(rank + 1) ('\(left)' '\(right)') makes a token the vocabulary lacks")
            }
            ranks[Pair(left: left, right: right)] = rank
        }
        for scalar in ByteLevel.byteToScalar where vocabulary[String(scalar)] == nil {
            throw TokenizerError(path: path, problem: "the vocabulary lacks the byte token '\(scalar)'")
        }
        (self.vocabulary, self.tokens, self.ranks) = (vocabulary, tokens, ranks)
    }

    /// The ids, tokens and offsets (in Unicode scalars of `text`, each piece's leading space included) of `text`.
    public func encode(_ text: String) -> Encoding {
        let scalars = Array(text.unicodeScalars)
        var encoding = Encoding(ids: [], tokens: [], typeIds: [], offsets: [], attentionMask: [])
        for piece in ByteLevel.pieces(scalars) {
            // Each byte of the piece, and the scalar (of the text) it belongs to.
            var bytes: [UInt8] = [], owners: [Int] = []
            for index in piece {
                for byte in String(scalars[index]).utf8 {
                    bytes.append(byte)
                    owners.append(index)
                }
            }
            var position = 0
            for id in merged(bytes) {
                let length = tokens[id].unicodeScalars.count
                encoding.ids.append(id)
                encoding.tokens.append(tokens[id])
                encoding.offsets.append(owners[position]..<(owners[position + length - 1] + 1))
                position += length
            }
        }
        encoding.typeIds = Array(repeating: 0, count: encoding.ids.count)
        encoding.attentionMask = Array(repeating: 1, count: encoding.ids.count)
        return encoding
    }

    /// The text of `ids`: their tokens' bytes, as UTF-8 (a sequence that is not valid UTF-8, as a cut inside a
    /// character can leave, decodes to U+FFFD as Python's `errors="replace"` does).
    public func decode(_ ids: [Int]) -> String {
        var bytes: [UInt8] = []
        for id in ids where tokens.indices.contains(id) {
            for scalar in tokens[id].unicodeScalars {
                if let byte = ByteLevel.scalarToByte[scalar] { bytes.append(byte) }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The token ids of one piece's bytes: its byte-to-unicode characters merged by rank (the lowest-ranked
    /// adjacent pair first, all its occurrences left to right, as GPT-2's `bpe`).
    private func merged(_ bytes: [UInt8]) -> [Int] {
        let word = String(String.UnicodeScalarView(bytes.map { ByteLevel.byteToScalar[Int($0)] }))
        lock.lock()
        let cached = cache[word]
        lock.unlock()
        if let cached { return cached }
        var symbols = word.unicodeScalars.map { String($0) }
        while symbols.count > 1 {
            var best: (rank: Int, index: Int)?
            for i in 0..<(symbols.count - 1) {
                if let rank = ranks[Pair(left: symbols[i], right: symbols[i + 1])], rank < (best?.rank ?? .max) {
                    best = (rank, i)
                }
            }
            guard let best else { break }
            let (left, right) = (symbols[best.index], symbols[best.index + 1])
            var next: [String] = []
            next.reserveCapacity(symbols.count)
            var i = 0
            while i < symbols.count {
                if i + 1 < symbols.count && symbols[i] == left && symbols[i + 1] == right {
                    next.append(left + right)
                    i += 2
                } else {
                    next.append(symbols[i])
                    i += 1
                }
            }
            symbols = next
        }
        let ids = symbols.map { vocabulary[$0]! }
        lock.lock()
        if cache.count < 100_000 { cache[word] = ids }
        lock.unlock()
        return ids
    }
}

/// GPT-2's byte-level scheme: the byte-to-unicode table and the pre-tokenisation pattern.
enum ByteLevel {
    /// Byte b as a printable character: the printable Latin-1 bytes as themselves, the rest shifted to U+0100 on.
    static let byteToScalar: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if (33...126).contains(byte) || (161...172).contains(byte) || (174...255).contains(byte) {
                table[byte] = Unicode.Scalar(UInt32(byte))!
            } else {
                table[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// The inverse of ``byteToScalar``.
    static let scalarToByte: [Unicode.Scalar: UInt8] = Dictionary(
        uniqueKeysWithValues: byteToScalar.enumerated().map { ($0.element, UInt8($0.offset)) })

    /// The pieces of `text` by GPT-2's pattern
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`, as scalar ranges.
    static func pieces(_ text: [Unicode.Scalar]) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        var i = 0
        let n = text.count
        func kind(_ index: Int) -> Kind { Kind(text[index]) }
        func run(from start: Int, of wanted: Kind) -> Int {
            var end = start
            while end < n && kind(end) == wanted { end += 1 }
            return end
        }
        while i < n {
            if text[i] == "'", let length = contraction(text, at: i) {
                pieces.append(i..<(i + length))
                i += length
                continue
            }
            let body = text[i] == " " && i + 1 < n && kind(i + 1) != .space ? i + 1 : i
            let bodyKind = kind(body)
            if bodyKind != .space {
                let end = run(from: body, of: bodyKind)
                pieces.append(i..<end)
                i = end
                continue
            }
            // Whitespace: all of it at the end of the text, else all but the last scalar when what follows is not
            // whitespace (that scalar goes with the next piece, as its " ?"), or the one scalar.
            let end = run(from: i, of: .space)
            if end == n || end - i == 1 {
                pieces.append(i..<end)
                i = end
            } else {
                pieces.append(i..<(end - 1))
                i = end - 1
            }
        }
        return pieces
    }

    /// The length of the contraction (`'s`, `'t`, `'re`, `'ve`, `'m`, `'ll`, `'d`) at `index`, if one is there.
    private static func contraction(_ text: [Unicode.Scalar], at index: Int) -> Int? {
        let next = index + 1 < text.count ? text[index + 1] : nil
        let after = index + 2 < text.count ? text[index + 2] : nil
        switch (next, after) {
        case ("r", "e"), ("v", "e"), ("l", "l"): return 3
        case ("s", _), ("t", _), ("m", _), ("d", _): return 2
        default: return nil
        }
    }

    /// The classes GPT-2's pattern tells apart.
    enum Kind {
        case letter, number, space, other

        init(_ scalar: Unicode.Scalar) {
            if scalar.properties.isWhitespace { self = .space; return }
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: self = .letter
            case .decimalNumber, .letterNumber, .otherNumber: self = .number
            default: self = .other
            }
        }
    }
}
