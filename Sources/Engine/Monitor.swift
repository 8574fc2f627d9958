#if canImport(Glibc)
import Glibc
#endif
import HostStats
import PacketIO
import Reporting

/// The reporting loop: runs on the calling thread while workers run, turns
/// counter readings into one ``IntervalReport`` per interval, ends the run on
/// its duration, its workers finishing, a stop request or SIGINT/SIGTERM/SIGHUP, and
/// produces the ``RunSummary``.
///
/// Signals are taken synchronously with `sigtimedwait`, so no handler runs
/// inside a worker and nothing async-signal-unsafe is ever called: call
/// `Syscalls.takeStopSignals()` before starting any thread so every thread inherits
/// the blocked mask.
package struct Monitor {
    /// Seconds per interval.
    package var interval: Double
    /// Stop after this many seconds; nil for no limit.
    package var duration: Double?

    /// The longest the loop waits before looking at the workers again.
    static let pollNanoseconds: UInt64 = 20_000_000
    /// The shortest interval the loop keeps, whatever it is given: 1 ms, the
    /// shortest `--interval` the commands accept.
    static let shortestIntervalNanoseconds: UInt64 = 1_000_000

    /// A monitor reporting every `interval` seconds, for at most `duration`.
    package init(interval: Double, duration: Double?) {
        self.interval = interval
        self.duration = duration
    }

    /// Takes a run's first readings (CPU, then the host's counters and the run's socket
    /// drops) and starts its clock. A session takes them before it announces the run:
    /// whatever happens once a sender hears the ready line, drops included, then falls
    /// inside the run's account, never in its baseline.
    ///
    /// - Parameters:
    ///   - sampler: reads the host's counters at the start, every interval and the end.
    ///   - checksSpread: warn when a thread gets far less than its share (SO_REUSEPORT groups).
    ///   - cpuSampler: reads every CPU's shares and the workers' CPU time at the start, every interval and the end.
    ///   - receiving: the workers are receiving threads: the CPU findings (``CPUDiagnosis``) apply.
    ///   - delivery: where the kernel's receive work runs for them (on loopback, on the senders' CPUs).
    package func begin(counters: ThreadCounters, sink: ReportSink, sampler: HostSampler? = nil, checksSpread: Bool = false,
                       cpuSampler: CPUSampler? = nil, receiving: Bool = false,
                       delivery: ReceiveDelivery = .network) -> MonitorState {
        MonitorState(counters: counters, sink: sink, interval: interval, sampler: sampler,
                     checksSpread: checksSpread, cpuSampler: cpuSampler, receiving: receiving, delivery: delivery)
    }

    /// ``begin(counters:sink:sampler:checksSpread:cpuSampler:receiving:delivery:)`` and
    /// ``run(_:control:finished:stopWorkers:)`` at once, for a run nobody waits to hear of.
    package func run(counters: ThreadCounters, control: RunControl, finished: () -> Bool, stopWorkers: () -> Void,
                     sink: ReportSink, sampler: HostSampler? = nil, checksSpread: Bool = false,
                     cpuSampler: CPUSampler? = nil, receiving: Bool = false, delivery: ReceiveDelivery = .network) -> RunSummary {
        run(begin(counters: counters, sink: sink, sampler: sampler, checksSpread: checksSpread, cpuSampler: cpuSampler,
                  receiving: receiving, delivery: delivery),
            control: control, finished: finished, stopWorkers: stopWorkers)
    }

    /// Reports until the run begun with `state` ends, then stops the workers with
    /// `stopWorkers` (which must return only once they have all published their last
    /// counts), reports the last partial interval and returns the summary.
    /// `finished` is true once the workers ended on their own (a send count met).
    package func run(_ begun: MonitorState, control: RunControl, finished: () -> Bool,
                     stopWorkers: () -> Void) -> RunSummary {
        var state = begun
        // Never below a millisecond, whatever the caller passed: a zero-length interval
        // would never let the clock pass the next tick, and the loop would spin.
        let nanosecondsPerInterval = max(Units.nanoseconds(interval), Self.shortestIntervalNanoseconds)
        let reason = reportUntilTheEnd(&state, every: nanosecondsPerInterval, control: control, finished: finished)
        stopWorkers()
        let end = MonotonicClock.now()
        // The last stretch since the previous line, unless it is empty and too short to mean anything.
        if state.hasUnreportedCounts || end &- state.previousTime >= nanosecondsPerInterval / 2 { state.emit(until: end) }
        return state.summary(end: end, reason: reason)
    }

    /// Emits a line every `nanosecondsPerInterval` until the run ends, and says why it ended:
    /// a stop request (a failure or a met count), the workers finishing, standard output
    /// closing, the duration passing, or a stop signal.
    private func reportUntilTheEnd(_ state: inout MonitorState, every nanosecondsPerInterval: UInt64,
                                   control: RunControl, finished: () -> Bool) -> StopReason {
        let deadline = duration.map { Units.deadline(state.start, plusSeconds: $0) }
        var nextTick = state.start &+ nanosecondsPerInterval
        while true {
            let now = MonotonicClock.now()
            if control.isStopRequested { return control.failureMessage == nil ? .count : .failure }
            if finished() { return .count }
            if standardOutputClosed { return .outputClosed }
            if let deadline, now >= deadline { return .duration }
            if now >= nextTick {
                state.emit(until: now)
                while nextTick <= now { nextTick &+= nanosecondsPerInterval }
            }
            // Always look for a signal, if only without waiting: a line that takes longer to
            // write than the interval (a slow pipe, a sanitizer) must not make Ctrl-C unheard.
            let later = MonotonicClock.now()
            var wake = min(nextTick, later &+ Self.pollNanoseconds)
            if let deadline { wake = min(wake, deadline) }
            if Syscalls.waitForStopSignal(nanoseconds: wake > later ? wake &- later : 0) != nil {
                // A second Ctrl-C while the workers stop and the summary prints ends the process at once.
                Syscalls.unblockStopSignals()
                return .signal
            }
        }
    }
}
