import Synchronization

/// A barrier for the parts of one ``ThreadPool`` job, which all run at once: each part waits in
/// ``wait(lastArrival:)`` until every part has arrived. Parts spin rather than sleep: they arrive within
/// microseconds of each other.
package final class SpinBarrier: Sendable {
    private let parties: Int
    private let arrived = Atomic<Int>(0)
    private let generation = Atomic<Int>(0)

    package init(parties: Int) { self.parties = parties }

    /// Returns once all `parties` have called it; the last to arrive runs `lastArrival` first, while the others
    /// are still waiting (to reset state they all shared before the barrier).
    package func wait(lastArrival: () -> Void = {}) {
        let current = generation.load(ordering: .acquiring)
        if arrived.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue == parties {
            arrived.store(0, ordering: .relaxed)
            lastArrival()
            generation.wrappingAdd(1, ordering: .releasing)
        } else {
            while generation.load(ordering: .acquiring) == current {}
        }
    }
}

/// Hands out the indices `0..<count` one at a time to whichever part asks next.
package final class WorkCounter: Sendable {
    private let next = Atomic<Int>(0)

    /// The next index below `count`, or nil when all have been handed out.
    package init() {}

    package func take(below count: Int) -> Int? {
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return index < count ? index : nil
    }

    /// Starts again from 0. Only while no part is taking (in a barrier's `lastArrival`).
    package func reset() { next.store(0, ordering: .relaxed) }
}
