import Foundation
import Synchronization

private let interruptRequested = Atomic<Bool>(false)

/// Ctrl-C handling for long runs: the first Ctrl-C sets a flag that the training loop polls (it then saves a
/// checkpoint and exits); a second one ends the process at once.
enum Interrupt {
    static func install() {
        // A parent may have started us with SIGINT blocked (some test runners and process launchers do).
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &blocked, nil)
        signal(SIGINT) { _ in
            interruptRequested.store(true, ordering: .relaxed)
            signal(SIGINT, SIG_DFL)
        }
    }

    static var requested: Bool { interruptRequested.load(ordering: .relaxed) }
}
