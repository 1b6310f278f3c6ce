import Foundation

extension WordPieceTokenizer {
    /// The tokenizer a Hugging Face `tokenizer.json` describes: a WordPiece model (vocabulary, `[UNK]`, `##`,
    /// the longest word), its `BertNormalizer` options, `[CLS]`/`[SEP]` from its post-processor and the truncation
    /// length (a model folder's `tokenizer.json` usually says 128 or 512).
    ///
    /// - Throws: ``TokenizerError`` for a file that cannot be read, is not JSON, or describes another model,
    ///   normaliser, pre-tokeniser or post-processor than BERT's.
    public init(contentsOf url: URL) throws {
        try self.init(json: try TokenizerFile.jsonObject(url), path: url.path)
    }

    /// The tokenizer a parsed `tokenizer.json` describes; `path` names the file in errors.
    init(json root: [String: Any], path: String) throws {
        guard let model = root["model"] as? [String: Any], let type = model["type"] as? String else {
            throw TokenizerError(path: path, problem: "no \"model\" with a \"type\"")
        }
        guard type == "WordPiece" else {
            throw TokenizerError(path: path, problem: "model type \(type) is not WordPiece")
        }
        guard let rawVocabulary = model["vocab"] as? [String: Any] else {
            throw TokenizerError(path: path, problem: "the WordPiece model has no \"vocab\" object")
        }
        var vocabulary: [String: Int] = [:]
        for (token, id) in rawVocabulary {
            guard let id = (id as? NSNumber)?.intValue else { throw TokenizerError(path: path, problem: "vocabulary entry '\(token)' is not a number") }
            vocabulary[token] = id
        }
        var normalizer = BertNormalizer(cleanText: false, handleChineseCharacters: false, stripAccents: false, lowercase: false)
        if let options = root["normalizer"] as? [String: Any] {
            guard options["type"] as? String == "BertNormalizer" else {
                throw TokenizerError(path: path, problem: "normalizer type \(options["type"] ?? "none") is not BertNormalizer")
            }
            normalizer = BertNormalizer(cleanText: options["clean_text"] as? Bool ?? true,
                                        handleChineseCharacters: options["handle_chinese_chars"] as? Bool ?? true,
                                        stripAccents: options["strip_accents"] as? Bool,
                                        lowercase: options["lowercase"] as? Bool ?? true)
        }
        if let pre = root["pre_tokenizer"] as? [String: Any], pre["type"] as? String != "BertPreTokenizer" {
            throw TokenizerError(path: path, problem: "pre-tokenizer type \(pre["type"] ?? "none") is not BertPreTokenizer")
        }
        var (classifier, separator) = ("[CLS]", "[SEP]")
        if let post = root["post_processor"] as? [String: Any] {
            switch post["type"] as? String {
            case "TemplateProcessing":
                let single = post["single"] as? [[String: Any]] ?? []
                let specials = single.compactMap { ($0["SpecialToken"] as? [String: Any])?["id"] as? String }
                guard specials.count == 2 else {
                    throw TokenizerError(path: path, problem: "the post-processor's template is not [CLS] $A [SEP]")
                }
                (classifier, separator) = (specials[0], specials[1])
            case "BertProcessing":
                classifier = (post["cls"] as? [Any])?.first as? String ?? classifier
                separator = (post["sep"] as? [Any])?.first as? String ?? separator
            case let other:
                throw TokenizerError(path: path, problem: "post-processor type \(other ?? "none") is not BERT's")
            }
        }
        let padding = (root["padding"] as? [String: Any])?["pad_token"] as? String ?? "[PAD]"
        let maxLength = ((root["truncation"] as? [String: Any])?["max_length"] as? NSNumber)?.intValue
        try self.init(vocabulary: vocabulary, normalizer: normalizer, unknownToken: model["unk_token"] as? String ?? "[UNK]",
                      continuingSubwordPrefix: model["continuing_subword_prefix"] as? String ?? "##",
                      maxInputCharactersPerWord: (model["max_input_chars_per_word"] as? NSNumber)?.intValue ?? 100,
                      classifierToken: classifier, separatorToken: separator, paddingToken: padding, maxLength: maxLength,
                      path: path)
    }

    /// The tokenizer of a BERT `vocab.txt` (one token per line, its line number the id) with BERT's defaults,
    /// lower-casing as `lowercase` says (a folder's `tokenizer_config.json` names it `do_lower_case`).
    ///
    /// - Throws: ``TokenizerError`` for a file that cannot be read, is not UTF-8 or lacks a special token.
    public init(vocabularyFile url: URL, lowercase: Bool = true, maxLength: Int? = nil) throws {
        let text = try TokenizerFile.text(url)
        var vocabulary: [String: Int] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let token = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
            if token.isEmpty { continue }
            vocabulary[token] = vocabulary[token] ?? vocabulary.count
        }
        try self.init(vocabulary: vocabulary, normalizer: BertNormalizer(lowercase: lowercase), maxLength: maxLength, path: url.path)
    }
}
