import PacketIO
import Reporting

/// Spreads sends evenly in time at a fixed rate.
///
/// Datagram `k` (from 0) is due at `start + k / rate`. At any moment a sender
/// may send what has fallen due, but at most ``burst`` at once, so a paced
/// sender never dumps a whole batch into a receiver's buffer at low rates.
/// The schedule is absolute: a late wake-up is made up, so the mean rate over
/// a run stays on target however coarse the sleeps are.
package struct Pacer: Sendable {
    /// Datagrams per second.
    package let rate: Double
    /// The most datagrams released at once.
    package let burst: Int
    /// When datagram 0 is due, in ``MonotonicClock`` nanoseconds.
    package let start: UInt64

    /// How long one burst may cover: the burst is the datagrams due in this window.
    package static let burstWindowNanoseconds = 250_000.0

    /// A pacer for `rate` per second starting at `start`, releasing at most
    /// `maximumBurst` at once (and fewer when the rate is low).
    package init(rate: Double, maximumBurst: Int, start: UInt64) {
        precondition(rate > 0, "rate must be positive")
        self.rate = rate
        self.start = start
        // Saturating: a rate the commands would refuse must not trap here either.
        let window = Units.saturating(rate * Self.burstWindowNanoseconds / 1e9)
        burst = max(1, min(maximumBurst, Int(clamping: window)))
    }

    /// How many datagrams may be sent at `now`, when `sent` already were.
    @inline(__always)
    package func allowance(sent: UInt64, now: UInt64) -> Int {
        guard now >= start else { return 0 }
        // Saturating (and one short of the top, so the +1 cannot wrap to 0 and stall the sender).
        let due = min(Units.saturating(Double(now &- start) * rate / 1e9), UInt64.max - 1) &+ 1
        guard due > sent else { return 0 }
        return Int(min(due &- sent, UInt64(burst)))
    }

    /// When datagram number `sent` (from 0) falls due.
    @inline(__always)
    package func dueTime(of sent: UInt64) -> UInt64 {
        // Saturating, so a schedule beyond 2^64 ns reads "never", not a trap or a wrap into the past.
        let (due, overflowed) = start.addingReportingOverflow(Units.saturating(Double(sent) * 1e9 / rate))
        return overflowed ? .max : due
    }

    /// How many datagrams to send at `now`, of the `wanted` still to go, when
    /// `sent` already were: a whole burst (or all that is wanted, if fewer) once
    /// it is due, else 0 — never the one or two that trickle due between bursts,
    /// which would cost a system call each.
    @inline(__always)
    package func release(sent: UInt64, wanted: Int, now: UInt64) -> Int {
        let allowed = allowance(sent: sent, now: now)
        return allowed >= min(burst, wanted) ? min(allowed, wanted) : 0
    }

    /// When a sender that has sent `sent`, with `wanted` still to go, should
    /// wake: once ``release(sent:wanted:now:)`` will give it a whole burst.
    @inline(__always)
    package func wakeTime(sent: UInt64, wanted: Int) -> UInt64 {
        dueTime(of: sent &+ UInt64(max(1, min(burst, wanted))) &- 1)
    }
}
