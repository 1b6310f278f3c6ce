import Foundation
import TensorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file's bytes mapped into memory copy-on-write: pages are read from the file when first touched, and a
/// page written is copied then, privately (the file never changes). Tensors made over it borrow its memory and
/// keep it mapped; it is unmapped when the last of them goes.
///
/// The mapping ends in at least ``Tensor/readableBytesPastEnd`` bytes of zeros past the file's end, which the
/// kernels may read after a tensor stored last. If another program truncates the file while it is mapped,
/// reading the lost pages stops the process (as with every memory-mapped reader).
final class MappedFile: @unchecked Sendable {
    /// The first byte of the file.
    let base: UnsafeMutableRawPointer
    /// The file's size in bytes.
    let count: Int
    private let mappedBytes: Int

    /// Maps the file at `url`.
    ///
    /// - Throws: ``CheckpointError`` naming the file and why it cannot be mapped.
    init(_ url: URL) throws {
        func failure() -> CheckpointError {
            CheckpointError(path: url.path, problem: "cannot read the file (\(FileProblem.describe(errno: errno)))")
        }
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else { throw failure() }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure() }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw CheckpointError(path: url.path, problem: "cannot read the file (not a regular file)")
        }
        count = Int(status.st_size)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        mappedBytes = (count + Tensor.readableBytesPastEnd + page - 1) / page * page
        // Anonymous zero pages first, then the file over their start: the pages past the file's end stay
        // readable zeros, where a file mapping alone would fault past its last page.
        guard let region = mmap(nil, mappedBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              region != MAP_FAILED else { throw failure() }
        if count > 0 {
            guard mmap(region, count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, descriptor, 0) != MAP_FAILED else {
                let error = failure()
                munmap(region, mappedBytes)
                throw error
            }
        }
        base = region
    }

    deinit { munmap(base, mappedBytes) }

    /// The file's bytes, valid while this mapping lives.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}
