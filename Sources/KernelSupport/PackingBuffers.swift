/// Packing buffers, kept between calls (one set per concurrently running part), shared by every kernel family's
/// GEMM and convolutions and by the bfloat16 products (which read and write them through raw pointers, as
/// 32-bit pairs of bfloat16).
package final class PackingBuffers: @unchecked Sendable {
    package private(set) var a: UnsafeMutablePointer<Float>
    package private(set) var b: UnsafeMutablePointer<Float>
    private var aCapacity = 0, bCapacity = 0

    init() {
        a = .allocate(capacity: 1)
        b = .allocate(capacity: 1)
    }

    /// Makes room for `aCount` and `bCount` 4-byte elements (plus 64 elements of vector slack), reallocating
    /// only to grow.
    package func reserve(a aCount: Int, b bCount: Int) {
        if aCount > aCapacity {
            a.deallocate()
            aCapacity = aCount
            a = Self.allocate(aCount)
        }
        if bCount > bCapacity {
            b.deallocate()
            bCapacity = bCount
            b = Self.allocate(bCount)
        }
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: (count + 64) * 4, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: count + 64)
    }

    private static let pool = Locked<[PackingBuffers]>([])

    /// Borrows a set of buffers for the duration of `body`.
    package static func withBuffers<R>(_ body: (PackingBuffers) -> R) -> R {
        let buffers = pool.withLock { $0.popLast() } ?? PackingBuffers()
        defer { pool.withLock { $0.append(buffers) } }
        return body(buffers)
    }
}
