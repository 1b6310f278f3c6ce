#if MPI
import CMPI
import Foundation

/// Open MPI's `MPI_COMM_WORLD` as a ``Communicator``: the processes `mpirun -np N` started, on one machine or
/// several. Collectives are called from one thread (the caller's), so MPI is started at `MPI_THREAD_FUNNELED`.
/// MPI's errors are fatal (its default): a failed collective ends the whole job with MPI's own message.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let worldSize: Int

    /// Starts MPI (once per process) and joins `MPI_COMM_WORLD`.
    public init() {
        var provided: Int32 = 0
        MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided)
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(swiftgrad_mpi_comm_world(), &rank)
        MPI_Comm_size(swiftgrad_mpi_comm_world(), &size)
        (self.rank, worldSize) = (Int(rank), Int(size))
    }

    /// Ends MPI: every process calls it once, after its last collective.
    public func finish() {
        MPI_Finalize()
    }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        Self.inChunks(buffer.count) { start, count in
            _ = MPI_Allreduce(swiftgrad_mpi_in_place(), buffer.baseAddress! + start, count, swiftgrad_mpi_float(),
                              swiftgrad_mpi_sum(), swiftgrad_mpi_comm_world())
        }
    }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) {
        Self.inChunks(buffer.count) { start, count in
            _ = MPI_Allreduce(swiftgrad_mpi_in_place(), buffer.baseAddress! + start, count, swiftgrad_mpi_double(),
                              swiftgrad_mpi_sum(), swiftgrad_mpi_comm_world())
        }
    }

    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) {
        Self.inChunks(buffer.count) { start, count in
            _ = MPI_Bcast(buffer.baseAddress! + start, count, swiftgrad_mpi_byte(), Int32(root), swiftgrad_mpi_comm_world())
        }
    }

    public func barrier() {
        MPI_Barrier(swiftgrad_mpi_comm_world())
    }

    public func abort(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        MPI_Abort(swiftgrad_mpi_comm_world(), code)
        exit(code)
    }

    /// MPI counts are 32-bit: `body(start, count)` over `total` elements in pieces that fit.
    private static func inChunks(_ total: Int, _ body: (Int, Int32) -> Void) {
        var start = 0
        repeat {
            let count = Swift.min(total - start, Int(Int32.max))
            body(start, Int32(count))
            start += count
        } while start < total
    }
}
#endif
