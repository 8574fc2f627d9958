#if canImport(Glibc)
import Glibc
#endif

// Sleeping on the monotonic clock (reading it is MonotonicClock.now(), which
// the vDSO answers without entering the kernel and stays inlined where it is).
extension Syscalls {
    /// Sleeps until `deadline` (nanoseconds of `CLOCK_MONOTONIC`), resuming after signals.
    /// The corresponding C function is `clock_nanosleep(2)` with `TIMER_ABSTIME`.
    package static func sleep(until deadline: UInt64) {
        var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while true {
            let rc = invoke(.clockNanosleep, -1) {
                // clock_nanosleep returns its error rather than setting errno.
                let code = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &time, nil)
                if code != 0 { errno = code }
                return code == 0 ? 0 : -1
            }
            if rc == 0 || errno != EINTR { return }
        }
    }

    /// Sleeps for about `nanoseconds`, less if a signal arrives.
    /// The corresponding C function is `clock_nanosleep(2)`.
    package static func pause(nanoseconds: UInt64) {
        var time = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        _ = invoke(.clockNanosleep, -1) { Int(clock_nanosleep(CLOCK_MONOTONIC, 0, &time, nil)) }
    }
}
