import Foundation

/// Reading the files a tokenizer is made of, each failure a ``TokenizerError`` naming the file.
enum TokenizerFile {
    /// The bytes of the file at `url`.
    static func data(_ url: URL) throws -> Data {
        do { return try Data(contentsOf: url) } catch {
            throw TokenizerError(path: url.path, problem: "cannot be read (\(FileManager.default.fileExists(atPath: url.path) ? "unreadable" : "no such file"))")
        }
    }

    /// The UTF-8 text of the file at `url`.
    static func text(_ url: URL) throws -> String {
        guard let text = String(data: try data(url), encoding: .utf8) else {
            throw TokenizerError(path: url.path, problem: "not UTF-8 text")
        }
        return text
    }

    /// The JSON object in the file at `url`.
    static func jsonObject(_ url: URL) throws -> [String: Any] {
        let bytes = try data(url)
        guard let object = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any] else {
            throw TokenizerError(path: url.path, problem: "not a JSON object")
        }
        return object
    }
}
