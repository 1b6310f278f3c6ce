import Foundation

/// Writes files so that a reader (or a crash) never sees a partial one: the bytes go to a temporary file in the
/// same folder, are flushed to disk, and the temporary file is renamed over the destination.
public enum AtomicFile {
    /// Creates `folder` (and the folders above it) for output, if it is not there.
    ///
    /// - Throws: ``CheckpointError`` naming the folder when it cannot be created.
    public static func createFolder(_ folder: URL) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw CheckpointError(path: folder.path, problem: "cannot create the output folder")
        }
    }

    /// Writes `data` to `url` atomically.
    ///
    /// - Throws: ``CheckpointError`` naming the file when the folder is missing or not writable or the disk is
    ///   full; the destination is then untouched and the temporary file removed.
    public static func write(_ data: Data, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString.prefix(8))")
        let path = url.path
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw CheckpointError(path: path, problem: "cannot create a file in \(folder.path) (missing folder or no permission)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw CheckpointError(path: path, problem: "write failed (\(FileProblem.describe(error))); the previous file is unchanged")
        }
        if rename(temporary.path, path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CheckpointError(path: path, problem: "cannot replace the file: \(reason)")
        }
    }
}
