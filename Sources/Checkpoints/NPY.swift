import Foundation
import TensorCore

/// Reads and writes NumPy's `.npy` format (version 1.0–3.0): a magic string, a header that is a Python dict
/// literal (`{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`), then the raw data.
public enum NPY {
    /// The `descr` of each dtype, and the dtype each readable `descr` becomes (the integer types SwiftGrad lacks
    /// widened to int32).
    private static let descriptions: [DType: String] = [.float32: "<f4", .float64: "<f8", .float16: "<f2", .int32: "<i4",
                                                        .int64: "<i8", .bool: "|b1"]
    private static let readable: [String: DType] = ["<f4": .float32, "<f8": .float64, "<f2": .float16, "<i4": .int32,
                                                    "<i8": .int64, "|b1": .bool, "|u1": .int32, "<u1": .int32, "|i1": .int32]

    /// The largest header accepted (NumPy's own limit is 10 000 bytes for version 1 headers it writes).
    public static let maximumHeaderBytes = 1 << 20

    /// The array in the file at `url`: `<f4` as float32, `<f8` as float64, `<f2` as float16, `<i4` as int32,
    /// `<i8` as int64, `|b1` as bool, and bytes (`|u1`, `|i1`) as int32. Fortran-order arrays are transposed into row-major order.
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
        guard let dtype = readable[descr] else {
            throw fail("unsupported dtype '\(descr)' (supported: <f4, <f8, <f2, <i8, <i4, |u1, |i1, |b1)")
        }
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw fail("shape \(shape) is too large") }
            count = product
        }
        let dataStart = headerStart + headerLength
        let itemSize = descr.hasSuffix("1") ? 1 : dtype.byteSize
        let (needed, overflow) = count.multipliedReportingOverflow(by: itemSize)
        guard !overflow, needed == data.count - dataStart else {
            throw fail("data is \(data.count - dataStart) bytes, shape \(shape) of \(descr) needs \(overflow ? "more" : String(needed))")
        }
        let fortran = order == "True"
        let storedShape = fortran ? Array(shape.reversed()) : shape
        let tensor: Tensor = data.withUnsafeBytes { raw in
            let bytes = UnsafeRawBufferPointer(rebasing: raw[dataStart...])
            guard itemSize != dtype.byteSize else {
                return Tensor(shape: storedShape, dtype: dtype) { $0.copyMemory(from: bytes) }
            }
            let signed = descr == "|i1"
            return Tensor(shape: storedShape, integers: bytes.map { signed ? Int(Int8(bitPattern: $0)) : Int($0) }, dtype: dtype)
        }
        return fortran ? tensor.transposed().contiguous() : tensor
    }

    /// The `.npy` (version 1.0) bytes of `tensor`, C order, stored as `dtype` (converted as `to(_:)` converts;
    /// the tensor's own dtype when nil). NumPy has no bfloat16: a bfloat16 tensor is stored as float32 (exactly).
    public static func encode(_ tensor: Tensor, as dtype: DType? = nil) -> Data {
        let requested = dtype ?? tensor.dtype
        let stored = tensor.to(requested == .bfloat16 ? .float32 : requested)
        let shapeText = tensor.shape.isEmpty ? "()" : tensor.shape.count == 1 ? "(\(tensor.shape[0]),)"
            : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descriptions[stored.dtype]!)', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        withUnsafeBytes(of: UInt16(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(Data(header.utf8))
        stored.withUnsafeElementBytes { data.append(contentsOf: $0) }
        return data
    }

    /// Writes `tensor` to `url` atomically.
    public static func write(_ tensor: Tensor, to url: URL, as dtype: DType? = nil) throws {
        try AtomicFile.write(encode(tensor, as: dtype), to: url)
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
