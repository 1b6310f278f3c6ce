import Foundation
import TensorCore

/// Reads and writes NumPy's `.npy` format (version 1.0–3.0): a magic string, a header that is a Python dict
/// literal (`{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`), then the raw data.
public enum NPY {
    /// The element type written to a file.
    public enum StoredType: String, Sendable {
        /// `<f4`
        case float32 = "<f4"
        /// `<f8`
        case float64 = "<f8"
        /// `<i8`: values are rounded to whole numbers.
        case int64 = "<i8"
    }

    /// The largest header accepted (NumPy's own limit is 10 000 bytes for version 1 headers it writes).
    public static let maximumHeaderBytes = 1 << 20

    /// The array in the file at `url`: `<f4` as float32, `<f8` as float64, `<i8`, `<i4`, `|u1` and `|b1` as
    /// float32 numbers. Fortran-order arrays are transposed into row-major order.
    ///
    /// - Throws: ``CheckpointError`` for a missing file, a bad magic string or version, a header that is not the
    ///   expected dict, an unsupported dtype or a data size that does not match the shape.
    public static func read(_ url: URL) throws -> Tensor {
        try decode(try mappedContents(of: url), path: url.path)
    }

    /// Decodes `.npy` bytes; `path` names the source in errors.
    public static func decode(_ data: Data, path: String = "<memory>") throws -> Tensor {
        func fail(_ problem: String) -> CheckpointError { CheckpointError(path: path, problem: problem) }
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, bytes[0..<6] == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59] else {
            throw fail("not a .npy file (bad magic string)")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header length") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw fail("unsupported .npy version \(major)")
        }
        guard headerLength <= maximumHeaderBytes, headerStart + headerLength <= data.count else {
            throw fail("header length \(headerLength) runs past the end of the \(data.count)-byte file")
        }
        guard let header = String(data: data.subdata(in: headerStart..<(headerStart + headerLength)), encoding: .utf8)
        else { throw fail("header is not text") }
        guard let descr = field("descr", in: header).flatMap(quoted) else { throw fail("header has no 'descr'") }
        guard let order = field("fortran_order", in: header), order == "False" || order == "True" else {
            throw fail("header has no 'fortran_order'")
        }
        guard let shapeText = field("shape", in: header), let shape = tuple(shapeText) else {
            throw fail("header 'shape' is not a tuple of non-negative integers")
        }
        let itemSizes = ["<f4": 4, "<f8": 8, "<i8": 8, "<i4": 4, "|u1": 1, "|b1": 1, "<u1": 1, "|i1": 1]
        guard let itemSize = itemSizes[descr] else {
            throw fail("unsupported dtype '\(descr)' (supported: <f4, <f8, <i8, <i4, |u1, |b1)")
        }
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw fail("shape \(shape) is too large") }
            count = product
        }
        let dataStart = headerStart + headerLength
        let (needed, overflow) = count.multipliedReportingOverflow(by: itemSize)
        guard !overflow, needed == data.count - dataStart else {
            throw fail("data is \(data.count - dataStart) bytes, shape \(shape) of \(descr) needs \(overflow ? "more" : String(needed))")
        }
        let fortran = order == "True"
        let storedShape = fortran ? Array(shape.reversed()) : shape
        let tensor: Tensor = data.withUnsafeBytes { raw in
            let base = raw.baseAddress! + dataStart
            func load<T>(_: T.Type, _ i: Int) -> T { base.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self) }
            switch descr {
            case "<f4": return Tensor(shape: storedShape, scalars: (0..<count).map { Float(bitPattern: UInt32(littleEndian: load(UInt32.self, $0))) })
            case "<f8": return Tensor(shape: storedShape, scalars: (0..<count).map { Double(bitPattern: UInt64(littleEndian: load(UInt64.self, $0))) }, dtype: .float64)
            case "<i8": return Tensor(shape: storedShape, scalars: (0..<count).map { Float(Int64(littleEndian: load(Int64.self, $0))) })
            case "<i4": return Tensor(shape: storedShape, scalars: (0..<count).map { Float(Int32(littleEndian: load(Int32.self, $0))) })
            case "|i1": return Tensor(shape: storedShape, scalars: (0..<count).map { Float(load(Int8.self, $0)) })
            default: return Tensor(shape: storedShape, scalars: (0..<count).map { Float(load(UInt8.self, $0)) })
            }
        }
        return fortran ? tensor.transposed().contiguous() : tensor
    }

    /// The `.npy` (version 1.0) bytes of `tensor`, C order.
    public static func encode(_ tensor: Tensor, as type: StoredType? = nil) -> Data {
        let stored = type ?? (tensor.dtype == .float64 ? .float64 : .float32)
        let shapeText = tensor.shape.isEmpty ? "()" : tensor.shape.count == 1 ? "(\(tensor.shape[0]),)"
            : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(stored.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        withUnsafeBytes(of: UInt16(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(Data(header.utf8))
        let values = tensor.elements(as: Double.self)
        for value in values {
            switch stored {
            case .float32: withUnsafeBytes(of: Float(value).bitPattern.littleEndian) { data.append(contentsOf: $0) }
            case .float64: withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
            case .int64: withUnsafeBytes(of: Int64(value.rounded()).littleEndian) { data.append(contentsOf: $0) }
            }
        }
        return data
    }

    /// Writes `tensor` to `url` atomically.
    public static func write(_ tensor: Tensor, to url: URL, as type: StoredType? = nil) throws {
        try AtomicFile.write(encode(tensor, as: type), to: url)
    }

    /// The text after `'key':` up to the next top-level comma or closing brace.
    private static func field(_ key: String, in header: String) -> String? {
        guard let range = header.range(of: "'\(key)':") else { return nil }
        var depth = 0
        var value = ""
        for character in header[range.upperBound...] {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if depth == 0 && (character == "," || character == "}") { break }
            value.append(character)
        }
        return value.trimmingCharacters(in: .whitespaces)
    }

    private static func quoted(_ text: String) -> String? {
        guard text.count >= 2, let first = text.first, first == text.last, first == "'" || first == "\"" else { return nil }
        return String(text.dropFirst().dropLast())
    }

    private static func tuple(_ text: String) -> [Int]? {
        guard text.hasPrefix("("), text.hasSuffix(")") else { return nil }
        let items = text.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        var shape: [Int] = []
        for item in items {
            guard let size = Int(item), size >= 0 else { return nil }
            shape.append(size)
        }
        return shape
    }
}
