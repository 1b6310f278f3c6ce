import Foundation

/// A value behind a pthread mutex (`NSLock`). Used instead of `Synchronization.Mutex`, whose futex-based lock
/// ThreadSanitizer cannot see through (it reported the GEMM's buffer pool as a race).
package final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    package init(_ value: Value) { self.value = value }

    /// Runs `body` with exclusive access to the value.
    package func withLock<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
