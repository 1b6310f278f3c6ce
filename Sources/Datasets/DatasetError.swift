/// A dataset file that is missing, unreadable or malformed: which file and what is wrong, in one line.
public struct DatasetError: Error, CustomStringConvertible, Equatable {
    /// The file (or folder) concerned.
    public let path: String
    /// What is wrong.
    public let problem: String

    /// An error about `path`.
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}
