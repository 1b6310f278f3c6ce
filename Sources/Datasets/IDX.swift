import Foundation

/// An array in the IDX format of the MNIST files: two zero bytes, a type code (0x08 for unsigned bytes), the
/// number of dimensions, each dimension as a big-endian 32-bit integer, then the data.
public struct IDXArray: Sendable {
    /// The dimensions, e.g. `[60000, 28, 28]`.
    public let shape: [Int]
    /// The elements in row-major order.
    public let bytes: [UInt8]

    /// The largest array accepted (MNIST's training images are 47 MB).
    public static let maximumBytes = 1 << 30

    /// Reads an IDX file, gzip-compressed or raw (told apart by the gzip magic bytes).
    ///
    /// The magic number, rank and dimensions are validated, and the file's length checked against them, before
    /// the data is allocated.
    /// - Throws: ``DatasetError`` naming the file and the problem.
    public static func read(_ url: URL) throws -> IDXArray {
        let raw: Data
        do {
            raw = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            let exists = FileManager.default.fileExists(atPath: url.path)
            throw DatasetError(path: url.path, problem: exists ? "cannot read the file (permission denied?)" : "no such file")
        }
        return try decode(raw, path: url.path)
    }

    /// Decodes IDX bytes (gzip-compressed or raw); `path` names the source in errors.
    public static func decode(_ raw: Data, path: String) throws -> IDXArray {
        let data = Gzip.isCompressed(raw)
            ? try Gzip.decompress(raw, path: path, limit: maximumBytes + 64, declaredSize: declaredSize) : raw
        let bytes = [UInt8](data.prefix(4))
        guard bytes.count == 4, bytes[0] == 0, bytes[1] == 0 else {
            throw DatasetError(path: path, problem: "not an IDX file (bad magic number)")
        }
        guard bytes[2] == 0x08 else {
            throw DatasetError(path: path, problem: String(format: "IDX element type 0x%02X is not supported (only 0x08, unsigned bytes)", bytes[2]))
        }
        let rank = Int(bytes[3])
        guard (1...4).contains(rank) else { throw DatasetError(path: path, problem: "IDX rank \(rank) is not 1 to 4") }
        let headerSize = 4 + 4 * rank
        guard data.count >= headerSize else {
            throw DatasetError(path: path, problem: "file is \(data.count) bytes, too short for its \(rank) dimensions")
        }
        var shape: [Int] = []
        var count = 1
        for axis in 0..<rank {
            let offset = data.startIndex + 4 + 4 * axis
            let size = Int(data[offset]) << 24 | Int(data[offset + 1]) << 16 | Int(data[offset + 2]) << 8 | Int(data[offset + 3])
            guard size > 0 else { throw DatasetError(path: path, problem: "dimension \(axis) is 0") }
            count *= size
            guard count <= maximumBytes else {
                throw DatasetError(path: path, problem: "dimensions \(shape + [size]) exceed the \(maximumBytes)-byte limit")
            }
            shape.append(size)
        }
        guard data.count == headerSize + count else {
            throw DatasetError(path: path, problem: "file holds \(data.count - headerSize) data bytes, dimensions \(shape) need \(count)")
        }
        return IDXArray(shape: shape, bytes: [UInt8](data.suffix(from: data.startIndex + headerSize)))
    }

    /// The total file size an IDX header announces (nil when the header is not readable yet).
    static func declaredSize(_ header: Data) -> Int? {
        let bytes = [UInt8](header)
        guard bytes.count >= 4, (1...4).contains(Int(bytes[3])) else { return nil }
        let rank = Int(bytes[3])
        guard bytes.count >= 4 + 4 * rank else { return nil }
        var total = 1
        for axis in 0..<rank {
            let o = 4 + 4 * axis
            total *= Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
            if total > maximumBytes { return maximumBytes + 4 + 4 * rank }
        }
        return total + 4 + 4 * rank
    }

    /// The IDX bytes of `bytes` with `shape` (uncompressed).
    public static func encode(shape: [Int], bytes: [UInt8]) -> Data {
        var data = Data([0, 0, 0x08, UInt8(shape.count)])
        for size in shape { data.append(contentsOf: [24, 16, 8, 0].map { UInt8((size >> $0) & 0xFF) }) }
        data.append(contentsOf: bytes)
        return data
    }
}
