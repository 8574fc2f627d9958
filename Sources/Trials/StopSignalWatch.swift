#if canImport(Glibc)
import Glibc
#endif
import PacketIO

/// Watches for SIGINT, SIGTERM and SIGHUP on behalf of a command that runs
/// other processes (`mpps lab`, `mpps ndr`): from ``init()`` on they are
/// blocked and taken synchronously, as the engine's monitor takes them, so the
/// command can always stop its children and remove what it created before it
/// exits. SIGPIPE is ignored meanwhile.
package final class StopSignalWatch {
    /// True once a stop signal came; it stays true.
    package private(set) var stopped = false
    /// The signal that came, if any.
    package private(set) var signal: Int32?
    private let previous: Syscalls.SignalDisposition

    /// Blocks the stop signals in the calling thread (call it before starting anything).
    package init() {
        previous = Syscalls.takeStopSignals()
    }

    /// Restores the signal mask; a signal not taken is delivered now.
    package func restore() {
        Syscalls.restoreSignals(previous)
    }

    /// True if a stop signal came (looks without waiting).
    package func check() -> Bool { sleep(seconds: 0) }

    /// Sleeps `seconds`, or less if a stop signal comes; true if one came (now or before).
    @discardableResult
    package func sleep(seconds: Double) -> Bool {
        if stopped { return true }
        let nanoseconds = seconds > 0 ? UInt64(min(seconds, 1e9) * 1e9) : 0
        guard let taken = Syscalls.waitForStopSignal(nanoseconds: nanoseconds) else { return false }
        stopped = true
        signal = taken
        return true
    }
}
