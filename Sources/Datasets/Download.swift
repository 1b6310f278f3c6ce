import Checkpoints
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads the MNIST-family files and verifies each against its published MD5 before it is written (to a
/// temporary file, then renamed), so a folder never holds a partial or corrupt file.
public enum DatasetDownload {
    /// A dataset's files and where they are published.
    public struct Catalog: Sendable {
        /// The default address the files are fetched from (HTTPS).
        public let baseURL: URL
        /// File names and their MD5 checksums.
        public let files: [(name: String, md5: String)]
    }

    /// The datasets `swiftgrad download` knows, by name.
    public static let catalogs: [String: Catalog] = [
        "mnist": Catalog(baseURL: URL(string: "https://ossci-datasets.s3.amazonaws.com/mnist/")!, files: [
            ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
            ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
            ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
            ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
        ]),
        "fashion-mnist": Catalog(
            baseURL: URL(string: "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/")!,
            files: [
                ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
                ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
                ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
            ]),
    ]

    /// Fetches each file from `baseURL` into `folder`, skipping files already there with the right checksum.
    ///
    /// - Parameters:
    ///   - files: each file's name and MD5 checksum.
    ///   - baseURL: the address the names are appended to.
    ///   - folder: where the files go (created if missing).
    ///   - timeout: seconds to wait for each request.
    ///   - progress: called with each file's name before it is fetched.
    /// - Throws: ``DatasetError`` naming the file's address and the problem (no connection, an HTTP error
    ///   status, a checksum mismatch); nothing is written for that file.
    public static func fetch(_ files: [(name: String, md5: String)], from baseURL: URL, to folder: URL,
                             timeout: TimeInterval = 120, progress: (String) -> Void = { _ in }) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw DatasetError(path: folder.path, problem: "cannot create the folder")
        }
        for (name, md5) in files {
            let destination = folder.appendingPathComponent(name)
            if let existing = try? Data(contentsOf: destination), MD5.hex(existing) == md5 { continue }
            progress(name)
            let url = baseURL.appendingPathComponent(name)
            let data = try get(url, timeout: timeout)
            let actual = MD5.hex(data)
            guard actual == md5 else {
                throw DatasetError(path: url.absoluteString, problem: "checksum mismatch: MD5 \(actual), expected \(md5); nothing written")
            }
            try AtomicFile.write(data, to: destination)
        }
    }

    private final class Response: @unchecked Sendable {
        var data: Data?
        var status = 0
        var error: Error?
    }

    private static func get(_ url: URL, timeout: TimeInterval) throws -> Data {
        var request = URLRequest(url: url)
        request.timeoutInterval = timeout
        let response = Response()
        let done = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: request) { data, urlResponse, error in
            response.data = data
            response.status = (urlResponse as? HTTPURLResponse)?.statusCode ?? 0
            response.error = error
            done.signal()
        }
        task.resume()
        done.wait()
        if let error = response.error {
            throw DatasetError(path: url.absoluteString, problem: "download failed (\(error.localizedDescription))")
        }
        guard response.status == 200, let data = response.data else {
            throw DatasetError(path: url.absoluteString, problem: "download failed (HTTP status \(response.status))")
        }
        return data
    }
}
