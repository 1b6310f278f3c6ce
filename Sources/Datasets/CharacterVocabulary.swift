/// The characters of a text as a vocabulary: each distinct Unicode scalar one id, in code-point order, as nanoGPT's
/// character-level `stoi`/`itos` (Python's characters are code points too).
public struct CharacterVocabulary: Codable, Equatable, Sendable {
    /// The symbols in id order, each one Unicode scalar.
    public let symbols: [String]
    private let ids: [Unicode.Scalar: Int]

    /// The vocabulary of every scalar in `text`.
    public init(text: String) {
        self.init(scalars: Set(text.unicodeScalars).sorted { $0.value < $1.value })
    }

    private init(scalars: [Unicode.Scalar]) {
        symbols = scalars.map { String($0) }
        ids = Dictionary(uniqueKeysWithValues: scalars.enumerated().map { ($0.element, $0.offset) })
    }

    /// The number of symbols.
    public var count: Int { symbols.count }

    /// The ids of `text`'s scalars.
    ///
    /// - Throws: ``DatasetError`` naming the first scalar outside the vocabulary, and where it is.
    public func encode(_ text: String) throws -> [Int] {
        try text.unicodeScalars.enumerated().map { position, scalar in
            guard let id = ids[scalar] else {
                let shown = scalar.properties.isWhitespace || scalar.value < 32 ? "U+\(String(scalar.value, radix: 16, uppercase: true))" : "'\(scalar)'"
                throw DatasetError(path: "text", problem: "character \(shown) at position \(position) is not in the model's vocabulary of \(count) characters")
            }
            return id
        }
    }

    /// The text of `ids` (each in `0..<count`).
    public func decode(_ ids: [Int]) -> String { ids.map { symbols[$0] }.joined() }

    enum CodingKeys: CodingKey { case symbols }

    public init(from decoder: Decoder) throws {
        let symbols = try decoder.container(keyedBy: CodingKeys.self).decode([String].self, forKey: .symbols)
        let scalars = symbols.compactMap { $0.unicodeScalars.count == 1 ? $0.unicodeScalars.first : nil }
        guard scalars.count == symbols.count, Set(scalars).count == scalars.count else {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: [CodingKeys.symbols],
                                                                    debugDescription: "symbols must be distinct single characters"))
        }
        self.init(scalars: scalars)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(symbols, forKey: .symbols)
    }
}
