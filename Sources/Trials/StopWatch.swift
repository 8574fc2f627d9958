#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Reporting

/// SIGINT, SIGTERM and SIGHUP for a command that runs other processes
/// (`mpps lab`, `mpps ndr`): blocked from ``init()`` on and taken
/// synchronously, as ``Monitor`` does, so the command can always stop its
/// children and remove what it created before it exits. SIGPIPE is ignored
/// (a closed stdout must not kill the command before it cleans up).
package final class StopWatch {
    /// True once a stop signal came; it stays true.
    package private(set) var stopped = false
    /// The signal that came, if any.
    package private(set) var signal: Int32?
    private let previousMask: sigset_t
    private let previousPipe: sighandler_t?

    static var signals: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, signal) }
        return set
    }

    /// Blocks the stop signals in the calling thread (call it before starting anything).
    package init() {
        var set = Self.signals
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &set, &previous)
        previousMask = previous
        previousPipe = Glibc.signal(SIGPIPE, SIG_IGN)
    }

    /// Restores the signal mask; a signal not taken is delivered now.
    package func restore() {
        var mask = previousMask
        pthread_sigmask(SIG_SETMASK, &mask, nil)
        _ = Glibc.signal(SIGPIPE, previousPipe)
    }

    /// True if a stop signal came (looks without waiting).
    package func check() -> Bool { sleep(seconds: 0) }

    /// Sleeps `seconds`, or less if a stop signal comes; true if one came (now or before).
    @discardableResult
    package func sleep(seconds: Double) -> Bool {
        if stopped { return true }
        let nanoseconds = UInt64(max(seconds, 0) * 1e9)
        var set = Self.signals
        var timeout = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        let deadline = MonotonicClock.now() &+ nanoseconds
        while true {
            let taken = sigtimedwait(&set, nil, &timeout)
            if taken > 0 {
                stopped = true
                signal = taken
                return true
            }
            // EINTR (another signal, a stopped-and-continued process): wait out the rest.
            let now = MonotonicClock.now()
            if errno != EINTR || now >= deadline { return false }
            let left = deadline &- now
            timeout = timespec(tv_sec: Int(left / 1_000_000_000), tv_nsec: Int(left % 1_000_000_000))
        }
    }
}
