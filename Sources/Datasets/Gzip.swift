import CZlib
import Foundation

/// gzip (and zlib) decompression through the system zlib, bounded so that a hostile file cannot make it
/// allocate without limit.
public enum Gzip {
    /// Whether `data` starts with the gzip magic bytes 1f 8b.
    public static func isCompressed(_ data: Data) -> Bool { data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B }

    /// The decompressed bytes of `data`, at most `limit` of them.
    ///
    /// - Parameters:
    ///   - data: the gzip stream.
    ///   - path: the file it came from, for error messages.
    ///   - limit: the most bytes the output may have.
    ///   - declaredSize: called with the output so far, once at least 64 bytes are out (or the stream
    ///     ends); it returns the total size the data's own header declares, which then becomes the limit, so the
    ///     output never grows past what the file itself claims.
    /// - Throws: ``DatasetError`` for corrupt or truncated streams and for output beyond the limit.
    public static func decompress(_ data: Data, path: String, limit: Int,
                                  declaredSize: ((Data) -> Int?)? = nil) throws -> Data {
        var limit = limit
        var checkedHeader = declaredSize == nil
        var stream = z_stream()
        // 15 + 32: accept both gzip and zlib headers.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DatasetError(path: path, problem: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        // Output arrives in chunks of up to 1 MB; small inputs get a small buffer (a fresh megabyte for every
        // small file made fuzzing 20× slower).
        let chunk = Swift.min(1 << 20, Swift.max(16 << 10, data.count * 8))
        var buffer = [UInt8](repeating: 0, count: chunk)
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                let status: Int32 = buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunk)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk - Int(stream.avail_out)
                if !checkedHeader && (output.count + produced >= 64 || status == Z_STREAM_END) {
                    checkedHeader = true
                    if let size = declaredSize?(Data(buffer[0..<Swift.min(produced, 64)])) { limit = Swift.min(limit, size) }
                }
                guard output.count + produced <= limit else {
                    throw DatasetError(path: path, problem: "decompresses to more than the \(limit) bytes its header declares")
                }
                output.append(contentsOf: buffer[0..<produced])
                switch status {
                case Z_STREAM_END:
                    return
                case Z_OK:
                    if stream.avail_in == 0 && produced == 0 {
                        throw DatasetError(path: path, problem: "gzip stream is truncated")
                    }
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw DatasetError(path: path, problem: "gzip stream is truncated")
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                    throw DatasetError(path: path, problem: "corrupt gzip data (\(message))")
                }
            }
        }
        return output
    }
}
