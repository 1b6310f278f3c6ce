/// BERT's text normalisation, as Hugging Face's `BertNormalizer`: control characters removed and whitespace made
/// spaces (`cleanText`), spaces put around CJK ideographs (`handleChineseCharacters`), accents stripped (canonical
/// decomposition, then the combining marks dropped) and lower-casing, scalar by scalar.
public struct BertNormalizer: Sendable, Equatable {
    /// Remove NUL, U+FFFD and control or format characters; turn every whitespace character into a space.
    public var cleanText: Bool
    /// Surround each CJK ideograph with spaces, so that each becomes a word.
    public var handleChineseCharacters: Bool
    /// Strip accents; nil follows `lowercase`, as in BERT's uncased models.
    public var stripAccents: Bool?
    /// Lower-case every scalar (its full Unicode mapping).
    public var lowercase: Bool

    /// A normaliser with BERT-uncased's defaults.
    public init(cleanText: Bool = true, handleChineseCharacters: Bool = true, stripAccents: Bool? = nil,
                lowercase: Bool = true) {
        (self.cleanText, self.handleChineseCharacters, self.stripAccents, self.lowercase) =
            (cleanText, handleChineseCharacters, stripAccents, lowercase)
    }

    /// `text` normalised, each scalar aligned with the original one it comes from.
    func normalize(_ text: AlignedText) -> AlignedText {
        var text = text
        if cleanText {
            text = text.mapping { scalar in
                if scalar.value == 0 || scalar.value == 0xFFFD || Self.isControl(scalar) { return [] }
                return BertCharacters.isWhitespace(scalar) ? [" "] : [scalar]
            }
        }
        if handleChineseCharacters {
            text = text.mapping { Self.isChinese($0) ? [" ", $0, " "] : [$0] }
        }
        if stripAccents ?? lowercase {
            text = text.mapping { scalar in
                if scalar.isASCII { return [scalar] }
                return String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars
                    .filter { $0.properties.generalCategory != .nonspacingMark }
            }
        }
        if lowercase {
            text = text.mapping { scalar in
                if scalar.isASCII { return [scalar.value >= 65 && scalar.value <= 90 ? Unicode.Scalar(scalar.value + 32)! : scalar] }
                return Array(scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return text
    }

    /// Control characters as BERT counts them (tab, newline and return are whitespace instead): Unicode's "other"
    /// categories, control, format, unassigned, private use and surrogate.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .unassigned, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// The CJK Unified Ideographs blocks and their extensions and compatibility forms (not kana or hangul).
    static func isChinese(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F: return true
        default: return false
        }
    }
}

/// The character classes BERT's normaliser and pre-tokeniser share.
enum BertCharacters {
    /// Unicode's White_Space property (Rust's `char::is_whitespace`).
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.properties.isWhitespace
    }

    /// ASCII punctuation and symbols (`$`, `+`, `<`, … too), and Unicode's punctuation categories.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }
}
