import Foundation

/// A text to train a character-level language model on: a file, the Debian package `fortunes`, or the play text
/// that ships inside SwiftGrad (so that training works on a fresh machine with no network).
public struct TextCorpus: Sendable {
    /// Where the text came from, for reports.
    public let source: String
    /// The text.
    public let text: String

    /// The folder the Debian package `fortunes` installs its text files into.
    public static let fortunesFolder = URL(fileURLWithPath: "/usr/share/games/fortunes")

    /// A text file, read as UTF-8.
    ///
    /// - Throws: ``DatasetError`` for a missing or unreadable file, one that is not UTF-8 text (binary, with NUL
    ///   bytes), or an empty one.
    public init(file url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DatasetError(path: url.path, problem: "cannot read the file (missing, or not a file)")
        }
        guard !data.contains(0), let text = String(data: data, encoding: .utf8) else {
            throw DatasetError(path: url.path, problem: "not UTF-8 text (a binary file?)")
        }
        guard text.unicodeScalars.count >= 2 else {
            throw DatasetError(path: url.path, problem: "holds \(text.unicodeScalars.count) characters; a language model needs a text to learn from")
        }
        (source, self.text) = (url.path, text)
    }

    /// The text files of the `fortunes` package, one after another in name order, if it is installed; otherwise
    /// Shakespeare's Hamlet and Macbeth, shipped with SwiftGrad (277 214 characters).
    public static func standard() throws -> TextCorpus {
        if let fortunes = try fortunes() { return fortunes }
        guard let url = Bundle.module.url(forResource: "hamlet-macbeth", withExtension: "txt", subdirectory: "Resources/shakespeare")
                ?? Optional(Bundle.module.bundleURL.appendingPathComponent("Resources/shakespeare/hamlet-macbeth.txt")) else {
            throw DatasetError(path: "Resources/shakespeare", problem: "the bundled text is missing from this build")
        }
        let corpus = try TextCorpus(file: url)
        return TextCorpus(source: "Hamlet and Macbeth (bundled with SwiftGrad)", text: corpus.text)
    }

    private init(source: String, text: String) {
        (self.source, self.text) = (source, text)
    }

    /// The `fortunes` package's texts (its plain files: not the `.dat` indexes, not the `.u8` links), or nil
    /// when it is not installed.
    private static func fortunes() throws -> TextCorpus? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fortunesFolder.path)) ?? []
        let files = names.filter { !$0.contains(".") }.sorted().map { fortunesFolder.appendingPathComponent($0) }
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
        guard !files.isEmpty else { return nil }
        let text = try files.map { try TextCorpus(file: $0).text }.joined()
        return TextCorpus(source: "fortunes (\(fortunesFolder.path), \(files.count) files)", text: text)
    }
}
