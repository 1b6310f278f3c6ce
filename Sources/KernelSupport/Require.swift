/// Stops the program with `message` when `condition` is false, in every build configuration.
///
/// Programming errors (a shape mismatch, an axis out of range) stop here with a message naming the operation
/// and the shapes; `precondition` would drop the message in optimised builds. Every module of the package uses
/// it (`package` access), none of its users.
@inlinable @inline(__always)
package func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
