#if canImport(Glibc)
import Glibc
#endif

// The stop signals (SIGINT, SIGTERM, SIGHUP), taken synchronously: blocked in
// the thread that starts a run, and so in every thread it starts later, then
// waited for with a timeout. No handler ever runs inside a worker, and nothing
// async-signal-unsafe is ever called.
extension Syscalls {
    /// The signals that end a run the way Ctrl-C does.
    package static var stopSignals: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, signal) }
        return set
    }

    /// What ``takeStopSignals()`` changed, for ``restoreSignals(_:)``.
    package struct SignalDisposition {
        let mask: sigset_t
        let brokenPipe: sighandler_t?
    }

    /// Blocks the stop signals in the calling thread (and so in every thread
    /// it starts later), to be taken with ``waitForStopSignal(nanoseconds:)``,
    /// and ignores SIGPIPE, so a closed stdout is an error to handle rather than
    /// death before cleaning up. The corresponding C functions are
    /// `pthread_sigmask(3)` and `signal(2)`.
    package static func takeStopSignals() -> SignalDisposition {
        var set = stopSignals
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &set, &previous)
        return SignalDisposition(mask: previous, brokenPipe: Glibc.signal(SIGPIPE, SIG_IGN))
    }

    /// Undoes ``takeStopSignals()``; a stop signal that came meanwhile and was
    /// not taken is delivered now.
    package static func restoreSignals(_ previous: SignalDisposition) {
        var mask = previous.mask
        pthread_sigmask(SIG_SETMASK, &mask, nil)
        _ = Glibc.signal(SIGPIPE, previous.brokenPipe)
    }

    /// Unblocks the stop signals in the calling thread: the next one takes its
    /// default action and ends the process.
    package static func unblockStopSignals() {
        var set = stopSignals
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Waits up to `nanoseconds` for a stop signal; the signal taken, or nil
    /// when the time passed first. Another signal or a stop and continue
    /// (EINTR) does not end the wait early. The corresponding C function is `sigtimedwait(2)`.
    package static func waitForStopSignal(nanoseconds: UInt64) -> Int32? {
        var set = stopSignals
        let deadline = MonotonicClock.now() &+ nanoseconds
        var left = nanoseconds
        while true {
            var timeout = timespec(tv_sec: Int(left / 1_000_000_000), tv_nsec: Int(left % 1_000_000_000))
            let taken = sigtimedwait(&set, nil, &timeout)
            if taken > 0 { return taken }
            let now = MonotonicClock.now()
            if errno != EINTR || now >= deadline { return nil }
            left = deadline &- now
        }
    }
}
