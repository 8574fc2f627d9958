#if canImport(Glibc)
import Glibc
#endif

/// CLOCK_MONOTONIC in nanoseconds: the only clock runs and pacing use, so a
/// wall-clock step never stretches or shrinks an interval.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary fixed point. Read through the vDSO: no system call.
    /// Inlinable: ping and echo read it between a request and its reply.
    @inlinable @inline(__always)
    public static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    /// Sleeps until `deadline` (a value of ``now()``), resuming after signals.
    /// The corresponding C function is `clock_nanosleep(2)`.
    public static func sleep(until deadline: UInt64) {
        Syscalls.sleep(until: deadline)
    }

    /// Sleeps for about `nanoseconds` (less if a signal arrives): no clock read, one system call.
    /// The corresponding C function is `clock_nanosleep(2)`.
    public static func pause(nanoseconds: UInt64) {
        Syscalls.pause(nanoseconds: nanoseconds)
    }
}
