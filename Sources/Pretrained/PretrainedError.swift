/// A model folder that cannot be used: a missing or unreadable file, a configuration or pipeline this module does
/// not run, weights that do not fit. Its description is one line naming the file and the problem.
public struct PretrainedError: Error, Equatable, CustomStringConvertible {
    /// The file (or folder) concerned.
    public let path: String
    /// What is wrong with it.
    public let problem: String

    /// An error about `path`.
    public init(path: String, problem: String) {
        (self.path, self.problem) = (path, problem)
    }

    public var description: String { "\(path): \(problem)" }
}
