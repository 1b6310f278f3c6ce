import Checkpoints
import Foundation
import Testing
@testable import TensorCore

@Suite struct NPYTests {
    @Test func roundTripsEveryStoredType() throws {
        let x = Tensor([[1.5, -2], [3, 4.25], [5, 6]])
        #expect(try NPY.decode(NPY.encode(x)).scalars == x.scalars)
        #expect(try NPY.decode(NPY.encode(x)).shape == [3, 2])
        let double = Tensor([0.1, 0.2], dtype: .float64)
        #expect(try NPY.decode(NPY.encode(double)).elements(as: Double.self) == [0.1, 0.2])
        #expect(try NPY.decode(NPY.encode(Tensor([3, 7]), as: .int64)).scalars == [3, 7])
        #expect(try NPY.decode(NPY.encode(Tensor(scalar: 2))).shape == [])
        let header = NPY.encode(x).prefix(80)
        #expect(String(decoding: header, as: UTF8.self).contains("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }"))
        #expect((NPY.encode(x).count - 24) % 64 == 0)
    }

    static func file(_ header: String, _ payload: [UInt8]) -> Data {
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        withUnsafeBytes(of: UInt16(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        return data + Data(header.utf8) + Data(payload)
    }

    @Test func fortranOrderIsTransposedToRowMajor() throws {
        // Column-major [2, 3] holding rows [1, 2, 3] and [4, 5, 6]: stored as 1, 4, 2, 5, 3, 6.
        let payload = [Float(1), 4, 2, 5, 3, 6].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let tensor = try NPY.decode(Self.file("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }\n", payload))
        #expect(tensor.shape == [2, 3])
        #expect(tensor.scalars == [1, 2, 3, 4, 5, 6])
    }

    @Test(arguments: [
        (Data([1, 2, 3]), "bad magic string"),
        (NPYTests.file("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }\n", [0, 0, 0, 0, 0, 0, 0, 0]), "unsupported dtype '<c8'"),
        (NPYTests.file("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n", [0, 0, 0, 0]), "data is 4 bytes, shape [3] of <f4 needs 12"),
        (NPYTests.file("{'descr': '<f4', 'shape': (1,), }\n", [0, 0, 0, 0]), "no 'fortran_order'"),
        (NPYTests.file("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }\n", []), "'shape' is not a tuple"),
        (NPYTests.file("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }\n", []), "too large"),
        (NPYTests.file("{'descr'", []).prefix(12), "runs past the end"),
    ])
    func corruptFilesAreRejected(_ data: Data, _ problem: String) {
        #expect {
            _ = try NPY.decode(data, path: "bad.npy")
        } throws: { error in
            (error as? CheckpointError).map { $0.description.contains(problem) && $0.path == "bad.npy" } ?? false
        }
    }
}
