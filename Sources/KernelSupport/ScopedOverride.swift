import Synchronization

/// A task's own value for a process-wide setting, for the duration of a closure: Swift's task-local values, so
/// that code running beside it (other tasks, other threads, tests run in parallel) keeps the process-wide value.
///
/// Settings read on every operation first ask whether any override is active at all (one atomic load), and look
/// the task-local value up only then.
package final class ScopedOverride<Value: Sendable>: Sendable {
    private let local = TaskLocal<Value?>(wrappedValue: nil)
    private let active = Atomic<Int>(0)

    /// No override until ``withValue(_:_:)``.
    package init() {}

    /// The value set by the innermost enclosing ``withValue(_:_:)`` of this task, or nil outside one.
    package var current: Value? { active.load(ordering: .relaxed) == 0 ? nil : local.get() }

    /// Runs `body` with `value` as this task's override.
    package func withValue<Result>(_ value: Value, _ body: () throws -> Result) rethrows -> Result {
        active.add(1, ordering: .relaxed)
        defer { active.subtract(1, ordering: .relaxed) }
        return try local.withValue(value, operation: body)
    }
}
