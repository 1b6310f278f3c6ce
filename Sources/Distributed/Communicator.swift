import Foundation

/// A group of processes that train one model together, as PyTorch's `ProcessGroup` or an MPI communicator: each
/// process knows its ``rank`` among ``worldSize`` and takes part in collective operations, which every process
/// must call in the same order with buffers of the same sizes.
///
/// ``SingleProcessCommunicator`` is the group of one (every collective is a no-op), so that code written for many
/// processes runs unchanged in one; `MPICommunicator` (built with the package's `MPI` trait) is Open MPI's
/// `MPI_COMM_WORLD`.
public protocol Communicator: AnyObject {
    /// This process's index, `0..<worldSize`; rank 0 reports and writes files.
    var rank: Int { get }
    /// The number of processes.
    var worldSize: Int { get }
    /// Replaces `buffer` by its sum across the processes (every process ends with the same sums).
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>)
    /// Replaces `buffer` by its sum across the processes, in double precision (loss sums, counts, flags).
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>)
    /// Copies process `root`'s bytes into every process's `buffer` (the same size on all).
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int)
    /// Waits until every process has called it.
    func barrier()
    /// Ends every process of the group at once: this one writes `message` as one line on standard error, and the
    /// job exits with status `code`.
    func abort(_ message: String, code: Int32) -> Never
}

extension Communicator {
    /// Whether this process is rank 0.
    public var isRoot: Bool { rank == 0 }

    /// `values` summed across the processes.
    public func allReduceSum(_ values: [Double]) -> [Double] {
        var result = values
        result.withUnsafeMutableBufferPointer { allReduceSum($0) }
        return result
    }

    /// Process `root`'s `text`, on every process.
    public func broadcast(_ text: String, root: Int = 0) -> String {
        var length = [Double(text.utf8.count)]
        length.withUnsafeMutableBytes { broadcast($0, root: root) }
        var bytes = rank == root ? Array(text.utf8) : [UInt8](repeating: 0, count: Int(length[0]))
        bytes.withUnsafeMutableBytes { broadcast($0, root: root) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The group of one process: collectives leave their buffers as they are.
public final class SingleProcessCommunicator: Communicator {
    /// The only process.
    public init() {}

    public var rank: Int { 0 }
    public var worldSize: Int { 1 }
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {}
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) {}
    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) {}
    public func barrier() {}

    public func abort(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(code)
    }
}

/// What `mpirun` tells the processes it starts, read from the variables it sets (Open MPI's `OMPI_COMM_WORLD_SIZE`,
/// or PMIx's `PMIX_SIZE`); available whether or not the build has MPI, so that a build without it can say so.
public enum MPILaunch {
    /// The number of processes `mpirun` started, or nil when this process was not started by `mpirun`.
    public static var worldSize: Int? {
        let environment = ProcessInfo.processInfo.environment
        return (environment["OMPI_COMM_WORLD_SIZE"] ?? environment["PMIX_SIZE"]).flatMap { Int($0) }
    }
}
