#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Freed tensor buffers of 64 KB or more, kept for the next allocation of the same size class.
///
/// A training loop allocates the same activations and gradients on every step. Handing them back to the system
/// and faulting in freshly zeroed pages on the next step cost a quarter of the time of large elementwise
/// operations (the kernel's page clearing was 24 % of `swiftgrad bench ops`). Buffers are reused by size class
/// (`byteCount(forRequest:)`: sizes rounded up to a power of two), so that inference on batches of varying
/// length (sentences sorted by length) reuses the buffers of the batches before rather than keeping one of each
/// size: all-MiniLM-L6-v2 on 320 sentences of 8–128 tokens peaked at 351 MB with classes a quarter of a power of
/// two apart and 266 MB with powers of two, at the same speed. At most ``limit`` bytes (counted by class) are
/// kept, and a buffer that would exceed it is freed.
public enum StorageCache {
    /// Buffers smaller than this go straight back to `malloc`, which recycles them without page faults.
    static let minimumBytes = 64 << 10

    private struct State {
        var limit = 256 << 20
        var cachedBytes = 0
        var buffers: [Int: [UnsafeMutableRawPointer]] = [:]
    }

    private static let state = Locked(State())

    /// The most bytes kept for reuse (default 256 MiB). Lowering it frees cached buffers at once.
    public static var limit: Int {
        get { state.withLock { $0.limit } }
        set {
            require(newValue >= 0, "StorageCache.limit: must not be negative, got \(newValue)")
            state.withLock { $0.limit = newValue }
            release(downTo: newValue)
        }
    }

    /// The bytes currently kept for reuse.
    public static var cachedBytes: Int { state.withLock { $0.cachedBytes } }

    /// Frees every cached buffer.
    public static func clear() { release(downTo: 0) }

    /// The bytes allocated for a request of `requested` bytes: itself up to ``minimumBytes``, the next power of two
    /// up to 64 MB, and above that the next multiple of an eighth of the power of two below it, so that a tensor
    /// near the machine's memory does not ask for twice as much address space. The pages past the request are
    /// never touched, so they cost address space, not memory.
    static func byteCount(forRequest requested: Int) -> Int {
        guard requested > minimumBytes else { return requested }
        let power = 1 << (Int.bitWidth - (requested - 1).leadingZeroBitCount)
        guard power > 64 << 20 else { return power }
        let eighth = power / 16
        return (requested + eighth - 1) / eighth * eighth
    }

    /// A cached buffer of exactly `byteCount` bytes, if one is kept.
    static func take(byteCount: Int) -> UnsafeMutableRawPointer? {
        guard byteCount >= minimumBytes else { return nil }
        return state.withLock { state in
            guard let buffer = state.buffers[byteCount]?.popLast() else { return nil }
            // No empty lists stay behind: `release` takes the largest size kept as one that has a buffer.
            if state.buffers[byteCount]!.isEmpty { state.buffers[byteCount] = nil }
            state.cachedBytes -= byteCount
            return buffer
        }
    }

    /// Keeps `buffer` for reuse, or frees it when the cache is full or the buffer is small.
    static func give(_ buffer: UnsafeMutableRawPointer, byteCount: Int) {
        let kept = byteCount >= minimumBytes && state.withLock { state in
            guard state.cachedBytes + byteCount <= state.limit else { return false }
            state.buffers[byteCount, default: []].append(buffer)
            state.cachedBytes += byteCount
            return true
        }
        if !kept { TensorStorage.deallocate(buffer, byteCount: byteCount) }
    }

    /// Frees cached buffers, largest first, until at most `target` bytes are cached.
    private static func release(downTo target: Int) {
        let released: [(UnsafeMutableRawPointer, Int)] = state.withLock { state in
            var released: [(UnsafeMutableRawPointer, Int)] = []
            while state.cachedBytes > target, let size = state.buffers.keys.max() {
                let buffer = state.buffers[size]!.removeLast()
                if state.buffers[size]!.isEmpty { state.buffers[size] = nil }
                state.cachedBytes -= size
                released.append((buffer, size))
            }
            return released
        }
        for (buffer, size) in released { TensorStorage.deallocate(buffer, byteCount: size) }
    }
}
