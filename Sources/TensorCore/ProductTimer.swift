import Foundation
import KernelSupport
import Synchronization

/// Time and flops spent in matrix products (float32 GEMMs and convolutions, forward and backward), for
/// `swiftgrad bench train-step`'s split of a training step into products and everything else. It counts the
/// products a task runs inside ``measuring(_:)`` (other tasks' are not counted); outside one, a product costs one
/// atomic load more.
package enum ProductTimer {
    /// The running totals of one ``measuring(_:)``.
    private final class Tally: Sendable {
        let nanoseconds = Atomic<UInt64>(0), flops = Atomic<UInt64>(0)
    }

    private static let tally = ScopedOverride<Tally>()

    /// Runs `body` (one step, or several) and returns the seconds and flops its products took.
    package static func measuring(_ body: () -> Void) -> (seconds: Double, flops: Double) {
        let totals = Tally()
        tally.withValue(totals, body)
        return (Double(totals.nanoseconds.load(ordering: .relaxed)) * 1e-9, Double(totals.flops.load(ordering: .relaxed)))
    }

    /// Runs one product of `productFlops` flops, timed inside ``measuring(_:)``.
    @inline(__always)
    static func time(flops productFlops: Int, _ product: () -> Void) {
        guard let totals = tally.current else { return product() }
        let start = DispatchTime.now().uptimeNanoseconds
        product()
        totals.nanoseconds.add(DispatchTime.now().uptimeNanoseconds - start, ordering: .relaxed)
        totals.flops.add(UInt64(productFlops), ordering: .relaxed)
    }
}
