import Foundation
import Synchronization

/// A small persistent pool of worker threads for the GEMM.
///
/// Dispatch's `concurrentPerform` costs ~50 µs per call on the target machine and often runs everything on the
/// calling thread; these workers spin briefly after each job (so back-to-back products start in about a
/// microsecond), then sleep on a condition variable.
final class ThreadPool: @unchecked Sendable {
    /// Number of threads a job can use, the caller's included.
    let threadCount: Int

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
    func run(parts: Int, _ body: (Int) -> Void) {
        precondition(parts <= threadCount)
        if parts <= 1 || !busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {
            for part in 0..<parts { body(part) }
            return
        }
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
    private static let state = Locked<(threads: Int, pool: ThreadPool?)>(
        (ProcessInfo.processInfo.activeProcessorCount, nil))

    /// The number of threads the GEMM may use (default: the number of active cores), as PyTorch's
    /// `torch.set_num_threads`. Products too small to gain stay on one thread.
    public static var threadCount: Int {
        get { state.withLock { $0.threads } }
        set {
            precondition(newValue >= 1, "Parallelism.threadCount must be at least 1, got \(newValue)")
            state.withLock { $0.threads = newValue }
        }
    }

    /// A pool with at least `threadCount` threads, created on first use and kept.
    static func pool() -> ThreadPool {
        state.withLock { state in
            if let pool = state.pool, pool.threadCount >= state.threads { return pool }
            let pool = ThreadPool(threadCount: state.threads)
            state.pool = pool
            return pool
        }
    }
}
