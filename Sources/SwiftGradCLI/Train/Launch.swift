import ArgumentParser
import Foundation
import SwiftGrad

/// How this process was started: alone, or as one rank of an `mpirun` job. `swiftgrad train` notices `mpirun`
/// from the variables it sets (no flag is needed); a build without the `MPI` trait refuses to run under it.
enum Launch {
    /// MPI's communicator when started by `mpirun` (the build has the `MPI` trait), else the single process.
    static func communicator() throws -> Communicator {
        #if MPI
        if MPILaunch.worldSize != nil { return MPICommunicator() }
        #else
        if let worldSize = MPILaunch.worldSize, worldSize > 1 {
            throw ValidationError("this swiftgrad was built without MPI: build it with `swift build -c release --traits MPI` to train under mpirun")
        }
        #endif
        return SingleProcessCommunicator()
    }

    /// Ends MPI after the last collective; nothing for a single process.
    static func finish(_ communicator: Communicator) {
        #if MPI
        (communicator as? MPICommunicator)?.finish()
        #endif
    }

    /// Runs `body` as one rank of `communicator`'s job: a stop all ranks agreed on (``TrainingStopped``, a refused
    /// start) is printed by one rank and ends every rank with its status; any other error ends the whole job at
    /// once, this rank saying which it is and why in one line.
    static func run(_ communicator: Communicator, _ body: () throws -> Void) throws {
        guard communicator.worldSize > 1 else { return try body() }
        do {
            try body()
        } catch let stopped as TrainingStopped {
            if communicator.isRoot { FileHandle.standardError.write(Data("swiftgrad: \(stopped.message)\n".utf8)) }
            finish(communicator)
            exit(stopped.code)
        } catch let refused as DistributedError {
            // Every rank knows the job is refused; the first rank that differs from rank 0 says why.
            if refused.isReportedHere { FileHandle.standardError.write(Data("swiftgrad: \(refused)\n".utf8)) }
            finish(communicator)
            exit(1)
        } catch {
            let message = SwiftGradCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            communicator.abort("swiftgrad: rank \(communicator.rank) of \(communicator.worldSize): \(message)", code: 1)
        }
        finish(communicator)
    }
}
