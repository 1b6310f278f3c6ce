import Foundation

/// A checkpoint or array file that cannot be read or written: which file, which tensor, what is wrong.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    /// The file's path.
    public let path: String
    /// The tensor concerned, when the problem is one tensor's.
    public let tensor: String?
    /// What is wrong, in a few words.
    public let problem: String

    /// An error about `path` (and one of its tensors).
    public init(path: String, tensor: String? = nil, problem: String) {
        self.path = path
        self.tensor = tensor
        self.problem = problem
    }

    /// One line: `file.safetensors: tensor '0.weight': data_offsets [0, 12] hold 12 bytes, dtype F32 shape [2, 3] needs 24`.
    public var description: String {
        "\(path): " + (tensor.map { "tensor '\($0)': " } ?? "") + problem
    }
}

/// The bytes of the file at `url`, memory-mapped (a large checkpoint is not copied into memory first).
///
/// - Throws: ``CheckpointError`` naming the file and why it cannot be read.
func mappedContents(of url: URL) throws -> Data {
    do {
        return try Data(contentsOf: url, options: .alwaysMapped)
    } catch {
        throw CheckpointError(path: url.path, problem: "cannot read the file (\(FileProblem.describe(error)))")
    }
}
