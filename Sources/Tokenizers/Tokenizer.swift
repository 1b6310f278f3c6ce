import Foundation

/// What every tokenizer here does: text to token ids (with their offsets and masks) and ids back to text.
public protocol Tokenizer {
    /// The encoding of `text`, with the special tokens the tokenizer adds.
    func encode(_ text: String) -> Encoding
    /// The text of `ids`.
    func decode(_ ids: [Int]) -> String
}

extension WordPieceTokenizer: Tokenizer {
    /// The encoding of one text (`encode(_:pair:)` without a pair).
    public func encode(_ text: String) -> Encoding { encode(text, pair: nil) }

    /// The text of `ids`, special tokens left out (`decode(_:skippingSpecialTokens:)`).
    public func decode(_ ids: [Int]) -> String { decode(ids, skippingSpecialTokens: true) }
}

extension ByteLevelBPETokenizer: Tokenizer {}

/// The tokenizer a file describes, of whichever kind it is, as `tokenizers`' `Tokenizer.from_file`: a
/// `tokenizer.json` whose model is `WordPiece` (a ``WordPieceTokenizer``) or `BPE` (a ``ByteLevelBPETokenizer``),
/// or a BERT `vocab.txt` (a ``WordPieceTokenizer`` with BERT's defaults). The file is read once.
///
/// - Throws: ``TokenizerError`` naming the file for one that cannot be read or parsed, and for a model of
///   another type.
public func loadTokenizer(contentsOf url: URL) throws -> any Tokenizer {
    if url.pathExtension == "txt" { return try WordPieceTokenizer(vocabularyFile: url) }
    let root = try TokenizerFile.jsonObject(url)
    guard let model = root["model"] as? [String: Any], let type = model["type"] as? String else {
        throw TokenizerError(path: url.path, problem: "no \"model\" with a \"type\"")
    }
    switch type {
    case "WordPiece": return try WordPieceTokenizer(json: root, path: url.path)
    case "BPE": return try ByteLevelBPETokenizer(json: root, path: url.path)
    default: throw TokenizerError(path: url.path, problem: "model type \(type) is not supported (WordPiece and BPE are)")
    }
}
