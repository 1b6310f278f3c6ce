/// A tokenizer file that cannot be used: missing, not the JSON or text it should be, or of a kind this module does
/// not implement. Its description is one line naming the file and the problem.
public struct TokenizerError: Error, Equatable, CustomStringConvertible {
    /// The file (or `<memory>`).
    public let path: String
    /// What is wrong with it.
    public let problem: String

    /// An error about the file at `path`.
    public init(path: String, problem: String) {
        (self.path, self.problem) = (path, problem)
    }

    public var description: String { "\(path): \(problem)" }
}
