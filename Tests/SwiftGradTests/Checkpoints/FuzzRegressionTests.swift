import Checkpoints
import Datasets
import Foundation
import Testing
@testable import TensorCore

/// Inputs the fuzzers (scripts/fuzz.sh) found crashing, kept so they never crash again. Each must decode or
/// throw; reaching the end of the test is the check.
@Suite struct FuzzRegressionTests {
    static func input(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources/fuzz-regressions"))
        return try Data(contentsOf: url)
    }

    /// FuzzNPY, 2026-11-29: a Fortran-order header declaring shape (1666666666666666666, 0, 0, 0, 3, 2): no
    /// elements, but the product of the non-zero sizes overflowed while the strides were computed.
    @Test func emptyArrayWithHugeSizesDecodes() throws {
        let tensor = try NPY.decode(try Self.input("npy-empty-huge-fortran.npy"))
        #expect(tensor.count == 0)
        #expect(tensor.shape.count == 6)
    }

    @Test func emptySafeTensorWithHugeSizesDecodes() throws {
        var header = #"{"w":{"dtype":"F32","shape":[2,3,1666666666666666666,0],"data_offsets":[0,0]}}"#
        while header.utf8.count % 8 != 0 { header += " " }
        var data = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(Data(header.utf8))
        // The declared size overflows before the zero is reached: rejected as too large, not a crash.
        #expect(throws: CheckpointError.self) { try SafeTensors.decode(data) }
        #expect(Tensor.zeros([0, 1 << 40, 1 << 40]).count == 0)
    }
}
