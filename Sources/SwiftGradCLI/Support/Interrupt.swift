import Foundation
import Synchronization

private let interruptRequested = Atomic<Bool>(false)

/// Ctrl-C handling for long runs: the first Ctrl-C sets a flag that the training loop polls (it then saves a
/// checkpoint and exits); a second one ends the process at once. Under `mpirun`, whose Ctrl-C reaches the ranks
/// as SIGTERM (followed a few seconds later by SIGKILL), SIGTERM is handled the same way.
enum Interrupt {
    static func install(terminateToo: Bool = false) {
        let signals = [SIGINT] + (terminateToo ? [SIGTERM] : [])
        // A parent may have started us with SIGINT blocked (some test runners and process launchers do).
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for number in signals { sigaddset(&blocked, number) }
        pthread_sigmask(SIG_UNBLOCK, &blocked, nil)
        for number in signals {
            signal(number) { received in
                interruptRequested.store(true, ordering: .relaxed)
                signal(received, SIG_DFL)
            }
        }
    }

    static var requested: Bool { interruptRequested.load(ordering: .relaxed) }
}
