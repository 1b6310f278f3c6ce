import Foundation
import TensorCore

/// Reads and writes the safetensors format (Hugging Face's): an 8-byte little-endian header length, a JSON
/// header naming each tensor's dtype, shape and byte range, then the raw little-endian data. Loading one runs no
/// code, unlike a pickled PyTorch checkpoint.
///
/// ```swift
/// let model = Sequential { Linear(784, 50); ReLU(); Linear(50, 10) }
/// try model.loadStateDict(try SafeTensors.read(URL(fileURLWithPath: "torch_mlp.safetensors")))
/// ```
public enum SafeTensors {
    /// The largest header accepted: real headers are kilobytes; this bounds what a hostile file can make the
    /// reader allocate before anything is validated.
    public static let maximumHeaderBytes = 100 << 20

    /// The element types SafeTensors reads. F32, F64, F16, BF16, I32, I64 and BOOL keep their dtype; I16, I8 and
    /// U8 become int32 (SwiftGrad has no narrower integer types).
    enum ElementType: String {
        case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
        case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

        var byteSize: Int {
            switch self {
            case .f64, .i64: return 8
            case .f32, .i32: return 4
            case .f16, .bf16, .i16: return 2
            case .i8, .u8, .bool: return 1
            }
        }

        /// The dtype a tensor stored as this type has, when it is one of SwiftGrad's.
        var dtype: DType? {
            switch self {
            case .f64: return .float64
            case .f32: return .float32
            case .f16: return .float16
            case .bf16: return .bfloat16
            case .i64: return .int64
            case .i32: return .int32
            case .bool: return .bool
            case .i16, .i8, .u8: return nil
            }
        }

        /// The type that stores `dtype`.
        init(_ dtype: DType) {
            switch dtype {
            case .float64: self = .f64
            case .float32: self = .f32
            case .float16: self = .f16
            case .bfloat16: self = .bf16
            case .int64: self = .i64
            case .int32: self = .i32
            case .bool: self = .bool
            }
        }
    }

    /// The tensors of the file at `url`, by name. The file is memory-mapped copy-on-write and F32, F64, BF16,
    /// F16, I64 and I32 tensors are views of its pages, not copies: loading reads nothing until a tensor is used,
    /// and a tensor written gets private copies of the pages it writes (the file never changes). Other types are
    /// converted into tensors of their own.
    ///
    /// - Throws: ``CheckpointError`` for a missing or unreadable file, and for any inconsistency: a header
    ///   longer than the file or than ``maximumHeaderBytes``, JSON that is not an object of tensor entries, an
    ///   unknown dtype, a shape whose byte size differs from its `data_offsets`, offsets outside the data or
    ///   overlapping another tensor's.
    public static func read(_ url: URL) throws -> [String: Tensor] { try readWithMetadata(url).tensors }

    /// ``read(_:)`` and the header's `__metadata__` strings.
    public static func readWithMetadata(_ url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let file = try MappedFile(url)
        return try decode(file.bytes, mapping: file, path: url.path)
    }

    /// Decodes safetensors bytes (copying every tensor out of them); `path` names the source in errors.
    public static func decode(_ data: Data, path: String = "<memory>") throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        try data.withUnsafeBytes { try decode($0, mapping: nil, path: path) }
    }

    /// Decodes `data`; tensors whose bytes can be used in place borrow them from `mapping` when it holds them.
    private static func decode(_ data: UnsafeRawBufferPointer, mapping: MappedFile?, path: String) throws
        -> (tensors: [String: Tensor], metadata: [String: String]) {
        func fail(_ problem: String, _ tensor: String? = nil) -> CheckpointError {
            CheckpointError(path: path, tensor: tensor, problem: problem)
        }
        guard data.count >= 8 else { throw fail("file is \(data.count) bytes, shorter than the 8-byte header length") }
        let headerLength = UInt64(littleEndian: data.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(maximumHeaderBytes) else {
            throw fail("header length \(headerLength) exceeds the \(maximumHeaderBytes)-byte limit")
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("header length \(headerLength) runs past the end of the \(data.count)-byte file")
        }
        let dataStart = 8 + Int(headerLength)
        let header = Data(UnsafeRawBufferPointer(rebasing: data[8..<dataStart]))
        guard let object = try? JSONSerialization.jsonObject(with: header), let entries = object as? [String: Any] else {
            throw fail("header is not a JSON object")
        }
        let bufferLength = data.count - dataStart
        var metadata: [String: String] = [:]
        var ranges: [(range: Range<Int>, name: String)] = []
        var tensors: [String: Tensor] = [:]
        for (name, value) in entries {
            if name == "__metadata__" {
                guard let dictionary = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (key, item) in dictionary {
                    guard let text = item as? String else { throw fail("__metadata__ value of '\(key)' is not a string") }
                    metadata[key] = text
                }
                continue
            }
            guard let entry = value as? [String: Any] else { throw fail("entry is not an object", name) }
            guard let dtypeName = entry["dtype"] as? String else { throw fail("missing dtype", name) }
            guard let type = ElementType(rawValue: dtypeName) else { throw fail("unsupported dtype \(dtypeName)", name) }
            guard let shapeValues = entry["shape"] as? [Any], let shape = integers(shapeValues), shape.allSatisfy({ $0 >= 0 })
            else { throw fail("shape is not a list of non-negative integers", name) }
            guard let offsetValues = entry["data_offsets"] as? [Any], let offsets = integers(offsetValues),
                  offsets.count == 2 else { throw fail("data_offsets is not a pair of integers", name) }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= bufferLength else {
                throw fail("data_offsets [\(begin), \(end)] lie outside the \(bufferLength)-byte data section", name)
            }
            var count = 1
            for size in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: size)
                guard !overflow else { throw fail("shape \(shape) is too large", name) }
                count = product
            }
            let (byteCount, overflow) = count.multipliedReportingOverflow(by: type.byteSize)
            guard !overflow, byteCount == end - begin else {
                throw fail("data_offsets [\(begin), \(end)] hold \(end - begin) bytes, dtype \(dtypeName) shape \(shape) needs \(overflow ? "more" : String(byteCount))", name)
            }
            ranges.append((begin..<end, name))
            let bytes = UnsafeRawBufferPointer(rebasing: data[(dataStart + begin)..<(dataStart + end)])
            if let mapping, let dtype = type.dtype, dtype != .bool, let start = bytes.baseAddress,
               Int(bitPattern: start) % dtype.byteSize == 0 {
                tensors[name] = Tensor(shape: shape, dtype: dtype, borrowing: UnsafeMutableRawPointer(mutating: start), owner: mapping)
            } else {
                tensors[name] = convert(bytes, type, shape)
            }
        }
        ranges.sort { $0.range.lowerBound < $1.range.lowerBound }
        for (previous, next) in zip(ranges, ranges.dropFirst()) where next.range.lowerBound < previous.range.upperBound {
            throw fail("data overlaps tensor '\(previous.name)'", next.name)
        }
        return (tensors, metadata)
    }

    private static func integers(_ values: [Any]) -> [Int]? {
        var result: [Int] = []
        for value in values {
            guard let number = value as? NSNumber else { return nil }
            let double = number.doubleValue
            guard double == double.rounded(), Swift.abs(double) < 9e15 else { return nil }
            result.append(Int(double))
        }
        return result
    }

    private static func convert(_ bytes: UnsafeRawBufferPointer, _ type: ElementType, _ shape: [Int]) -> Tensor {
        let count = shape.reduce(1, *)
        func load<T>(_: T.Type, _ i: Int) -> T { bytes.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self) }
        func widened(_ value: (Int) -> Int) -> Tensor { Tensor(shape: shape, integers: (0..<count).map(value), dtype: .int32) }
        switch type {
        case .f64, .f32, .f16, .bf16, .i64, .i32, .bool:
            return Tensor(shape: shape, dtype: type.dtype!) { $0.copyMemory(from: bytes) }
        case .i16:
            return widened { Int(Int16(littleEndian: load(Int16.self, $0))) }
        case .i8:
            return widened { Int(load(Int8.self, $0)) }
        case .u8:
            return widened { Int(load(UInt8.self, $0)) }
        }
    }

    /// The safetensors bytes of `tensors` (float32 as F32, float64 as F64, bfloat16 as BF16, float16 as F16,
    /// int32 as I32, int64 as I64, bool as BOOL), names sorted, data 8-byte aligned.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let tensor = tensors[name]!
            let bytes = tensor.count * tensor.dtype.byteSize
            header[name] = ["dtype": ElementType(tensor.dtype).rawValue, "shape": tensor.shape,
                            "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data("{}".utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for name in names {
            tensors[name]!.withUnsafeElementBytes { data.append(contentsOf: $0) }
        }
        return data
    }

    /// Writes `tensors` to `url` atomically (temporary file, then rename).
    public static func write(_ tensors: [String: Tensor], to url: URL, metadata: [String: String] = [:]) throws {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: url)
    }
}

/// Short reasons for file-system errors.
enum FileProblem {
    static func describe(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return describe(errno: Int32(underlying.code))
        }
        switch nsError.code {
        case NSFileReadNoSuchFileError, NSFileNoSuchFileError: return "no such file"
        case NSFileReadNoPermissionError: return "permission denied"
        default: return nsError.localizedDescription
        }
    }

    /// The reason for a failed system call's `errno`.
    static func describe(errno code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file"
        case EACCES: return "permission denied"
        default: return String(cString: strerror(code))
        }
    }
}
