import Foundation
import Synchronization

/// A small persistent pool of worker threads for the GEMM and for large elementwise ops, reductions and optimizer
/// steps.
///
/// Dispatch's `concurrentPerform` costs ~50 µs per call on the target machine and often runs everything on the
/// calling thread; these workers spin briefly after each job (so back-to-back products start in about a
/// microsecond), then sleep on a condition variable.
package final class ThreadPool: @unchecked Sendable {
    /// Number of threads a job can use, the caller's included.
    package let threadCount: Int

    private let generation = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let pending = Atomic<Int>(0)
    private let mutex = NSCondition()
    private var job: ((Int) -> Void)?
    private var jobParts = 0

    /// Starts `threadCount - 1` workers; the calling thread is the last one.
    init(threadCount: Int) {
        self.threadCount = Swift.max(1, threadCount)
        for worker in 1..<Swift.max(self.threadCount, 1) {
            let thread = Thread { [self] in self.workerLoop(worker) }
            thread.name = "swiftgrad-worker-\(worker)"
            thread.start()
        }
    }

    /// Runs `body(part)` for every part in `0..<parts` (at most `threadCount`), part 0 on the calling thread,
    /// and returns when all have finished. While another thread's job holds the pool, the parts run one after
    /// another on the calling thread.
    package func run(parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 || !runConcurrently(parts: parts, body) {
            for part in 0..<parts { body(part) }
        }
    }

    /// Runs `body(part)` for every part in `0..<parts` (at most `threadCount`) at the same time, part 0 on the
    /// calling thread, and returns true when all have finished; returns false at once, running nothing, while
    /// another thread's job holds the pool. For parts that wait for each other (``SpinBarrier``), which
    /// ``run(parts:_:)`` would deadlock by running them one after another.
    package func runConcurrently(parts: Int, _ body: (Int) -> Void) -> Bool {
        require(parts <= threadCount, "runConcurrently: \(parts) parts for a pool of \(threadCount) threads")
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            mutex.lock()
            job = body
            jobParts = parts
            pending.store(parts - 1, ordering: .releasing)
            generation.add(1, ordering: .releasing)
            mutex.broadcast()
            mutex.unlock()
            body(0)
            while pending.load(ordering: .acquiring) > 0 {}
            mutex.lock()
            job = nil
            mutex.unlock()
        }
        return true
    }

    private func workerLoop(_ worker: Int) {
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen && spins < 200_000 { spins += 1 }
            mutex.lock()
            while generation.load(ordering: .acquiring) == seen { mutex.wait() }
            seen = generation.load(ordering: .acquiring)
            let parts = jobParts
            var body = worker < parts ? job : nil
            mutex.unlock()
            guard worker < parts else { continue }
            body?(worker)
            // Drop the reference before reporting completion: the caller's closure must not outlive `run`.
            body = nil
            pending.subtract(1, ordering: .releasing)
        }
    }
}

/// How many threads SwiftGrad's kernels use.
public enum Parallelism {
    // Read on every matmul: an atomic load rather than a lock.
    private static let threads = Atomic<Int>(ProcessInfo.processInfo.activeProcessorCount)
    private static let sharedPool = Locked<ThreadPool?>(nil)
    private static let scoped = ScopedOverride<Int>()

    /// The number of threads the GEMM, elementwise ops, reductions and optimizer steps may use (default: the
    /// number of active cores), as PyTorch's `torch.set_num_threads`. Work too small to gain stays on one thread.
    ///
    /// Setting it changes the whole process; inside ``withThreadCount(_:_:)`` it reads that call's value.
    public static var threadCount: Int {
        get { scoped.current ?? threads.load(ordering: .relaxed) }
        set {
            require(newValue >= 1, "Parallelism.threadCount must be at least 1, got \(newValue)")
            threads.store(newValue, ordering: .relaxed)
        }
    }

    /// Runs `body` with ``threadCount`` equal to `count` in this task (and the child tasks it creates), while
    /// every other task and thread keeps its own: a library or a test that wants a thread count for a while
    /// changes nothing for the code running beside it.
    ///
    /// ```swift
    /// let product = Parallelism.withThreadCount(1) { a.matmul(b) }
    /// ```
    public static func withThreadCount<Result>(_ count: Int, _ body: () throws -> Result) rethrows -> Result {
        require(count >= 1, "Parallelism.withThreadCount: the count must be at least 1, got \(count)")
        return try scoped.withValue(count, body)
    }

    /// The fewest elements a thread is given (PyTorch's `GRAIN_SIZE`), so a loop over fewer than twice this
    /// many stays on one thread: waking another thread costs a few microseconds, as much as such a loop.
    public static let minimumElementsPerThread = 32_768

    /// Calls `body` on consecutive pieces of `0..<count` that together cover it once, on up to
    /// ``threadCount`` threads at once, each piece at least `minimumElements` long, and returns when all have
    /// finished. Piece boundaries are multiples of 16, so vector loops see whole cache lines.
    ///
    /// For fused loops over a tensor's elements (``Tensor/withUnsafeMutableScalars(_:)``) whose iterations
    /// are independent; on one thread, `body(0..<count)` runs once.
    ///
    /// ```swift
    /// weights.withUnsafeMutableScalars { w in
    ///     Parallelism.forEachPiece(of: w.count) { range in
    ///         for i in range { w[i] *= 0.999 }
    ///     }
    /// }
    /// ```
    public static func forEachPiece(of count: Int, minimumElements: Int = minimumElementsPerThread,
                                    _ body: (Range<Int>) -> Void) {
        forEachPiece(of: count, minimumLength: minimumElements, multipleOf: 16, body)
    }

    /// ``forEachPiece(of:minimumElements:_:)`` with piece boundaries at multiples of `alignment`.
    package static func forEachPiece(of count: Int, minimumLength: Int, multipleOf alignment: Int,
                             _ body: (Range<Int>) -> Void) {
        let most = count / Swift.max(minimumLength, 1)
        let parts = most < 2 ? 1 : Swift.min(threadCount, most)
        if parts == 1 {
            if count > 0 { body(0..<count) }
            return
        }
        let piece = ((count + parts - 1) / parts + alignment - 1) / alignment * alignment
        pool().run(parts: parts) { part in
            let start = part * piece
            if start < count { body(start..<Swift.min(count, start + piece)) }
        }
    }

    /// A pool with at least `threadCount` threads, created on first use and kept.
    package static func pool() -> ThreadPool {
        sharedPool.withLock { shared in
            let wanted = threadCount
            if let pool = shared, pool.threadCount >= wanted { return pool }
            let pool = ThreadPool(threadCount: wanted)
            shared = pool
            return pool
        }
    }
}
