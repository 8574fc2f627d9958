import PacketIO
import Reporting

/// When a session that reports every interval should report and when it should
/// stop: what ``Monitor`` does for `recv` and `send`, for sessions whose reports
/// are not datagram counts (`echo`, `ping`). Signals are taken synchronously,
/// as in ``Monitor``: call `Syscalls.takeStopSignals()` before starting threads.
package struct RunClock {
    /// When the run started, in ``MonotonicClock`` nanoseconds.
    package let start: UInt64
    private let step: UInt64
    private let deadline: UInt64?
    private var nextTick: UInt64

    /// What ``next(control:finished:)`` returns.
    package enum Event: Equatable {
        /// An interval ended at this time.
        case tick(UInt64)
        /// The run ends, for this reason.
        case stop(StopReason)
    }

    /// A clock ticking every `interval` seconds (at least a millisecond) for at most `duration`.
    package init(interval: Double, duration: Double?) {
        let now = MonotonicClock.now()
        let step = max(Units.nanoseconds(interval), Monitor.shortestIntervalNanoseconds)
        start = now
        self.step = step
        deadline = duration.map { Units.deadline(now, plusSeconds: $0) }
        nextTick = now &+ step
    }

    /// Waits for the next interval's end or a reason to stop: a stop request (a
    /// failure when `control` has one), `finished()`, standard output closed, the
    /// duration, or SIGINT/SIGTERM/SIGHUP (after which a second one ends the process).
    package mutating func next(control: RunControl, finished: () -> Bool) -> Event {
        while true {
            let now = MonotonicClock.now()
            if control.isStopRequested { return .stop(control.failureMessage == nil ? .count : .failure) }
            if finished() { return .stop(.count) }
            if standardOutputClosed { return .stop(.outputClosed) }
            if let deadline, now >= deadline { return .stop(.duration) }
            if now >= nextTick {
                while nextTick <= now { nextTick &+= step }
                return .tick(now)
            }
            var wake = min(nextTick, now &+ Monitor.pollNanoseconds)
            if let deadline { wake = min(wake, deadline) }
            if Syscalls.waitForStopSignal(nanoseconds: wake > now ? wake &- now : 0) != nil {
                Syscalls.unblockStopSignals()
                return .stop(.signal)
            }
        }
    }

    /// Seconds since the start at `time`.
    package func elapsed(at time: UInt64) -> Double { Double(time &- start) / 1e9 }
}
