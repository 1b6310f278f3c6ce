import Foundation

extension ByteLevelBPETokenizer {
    /// The tokenizer a Hugging Face `tokenizer.json` of a byte-level BPE model describes (GPT-2's, and models
    /// trained as it was).
    ///
    /// - Throws: ``TokenizerError`` for a file that cannot be read, is not JSON, or describes another model or a
    ///   pre-tokeniser other than `ByteLevel`.
    public convenience init(contentsOf url: URL) throws {
        try self.init(json: try TokenizerFile.jsonObject(url), path: url.path)
    }

    /// The tokenizer a parsed `tokenizer.json` describes; `path` names the file in errors.
    convenience init(json root: [String: Any], path: String) throws {
        guard let model = root["model"] as? [String: Any], let type = model["type"] as? String else {
            throw TokenizerError(path: path, problem: "no \"model\" with a \"type\"")
        }
        guard type == "BPE" else { throw TokenizerError(path: path, problem: "model type \(type) is not BPE") }
        if let pre = root["pre_tokenizer"] as? [String: Any], pre["type"] as? String != "ByteLevel" {
            throw TokenizerError(path: path, problem: "pre-tokenizer type \(pre["type"] ?? "none") is not ByteLevel")
        }
        guard let rawVocabulary = model["vocab"] as? [String: Any], let rawMerges = model["merges"] as? [Any] else {
            throw TokenizerError(path: path, problem: "the BPE model needs \"vocab\" and \"merges\"")
        }
        let merges = try rawMerges.map { merge -> (String, String) in
            if let pair = merge as? [String], pair.count == 2 { return (pair[0], pair[1]) }
            if let text = merge as? String, let pair = Self.mergePair(text) { return pair }
            throw TokenizerError(path: path, problem: "merge \(merge) is not two tokens")
        }
        try self.init(vocabulary: try Self.vocabulary(rawVocabulary, path: path), merges: merges, path: path)
    }

    /// The tokenizer of GPT-2's `vocab.json` (token to id) and `merges.txt` (a `#version` line, then one merge per
    /// line, first merged first).
    ///
    /// - Throws: ``TokenizerError`` for files that cannot be read or are not those formats.
    public convenience init(vocabularyFile: URL, mergesFile: URL) throws {
        let vocabulary = try Self.vocabulary(try TokenizerFile.jsonObject(vocabularyFile), path: vocabularyFile.path)
        let text = try TokenizerFile.text(mergesFile)
        var merges: [(String, String)] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            if line.isEmpty || (number == 0 && line.hasPrefix("#version")) { continue }
            guard let pair = Self.mergePair(String(line)) else {
                throw TokenizerError(path: mergesFile.path, problem: "line \(number + 1) is not two tokens separated by a space")
            }
            merges.append(pair)
        }
        try self.init(vocabulary: vocabulary, merges: merges, path: vocabularyFile.path)
    }

    private static func mergePair(_ text: String) -> (String, String)? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
    }

    private static func vocabulary(_ raw: [String: Any], path: String) throws -> [String: Int] {
        var vocabulary: [String: Int] = [:]
        for (token, id) in raw {
            guard let id = (id as? NSNumber)?.intValue else { throw TokenizerError(path: path, problem: "vocabulary entry '\(token)' is not a number") }
            vocabulary[token] = id
        }
        return vocabulary
    }
}
