/// One text as a model reads it: token ids with their strings, the segment each belongs to (`type_ids`), where
/// each came from in the text, and which positions are real tokens rather than padding, as Hugging Face's
/// `tokenizers.Encoding` holds them.
public struct Encoding: Equatable, Sendable {
    /// The vocabulary ids, special tokens included.
    public var ids: [Int]
    /// The tokens' strings (`[CLS]`, `hello`, `##ing`, …).
    public var tokens: [String]
    /// The segment of each token: 0 for the first text, 1 for the second of a pair.
    public var typeIds: [Int]
    /// Each token's span in the original text, in Unicode scalars (Python string indices); `0..<0` for special
    /// tokens and padding.
    public var offsets: [Range<Int>]
    /// 1 for a token, 0 for padding.
    public var attentionMask: [Int]

    /// The number of positions, padding included.
    public var count: Int { ids.count }
}
