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

    /// Reports until the run ends, then stops the workers with `stopWorkers`
    /// (which must return only once they have all published their last counts),
    /// reports the last partial interval and returns the summary.
    ///
    /// - Parameters:
    ///   - finished: true once the workers ended on their own (a send count met).
    ///   - sampler: reads the host's counters at the start, every interval and the end.
    ///   - checksSpread: warn when a thread gets far less than its share (SO_REUSEPORT groups).
    ///   - cpuSampler: reads every CPU's shares and the workers' CPU time at the start, every interval and the end.
    ///   - receiving: the workers are receiving threads: the CPU findings (``CPUDiagnosis``) apply.
    ///   - delivery: where the kernel's receive work runs for them (on loopback, on the senders' CPUs).
    package func run(counters: ThreadCounters, control: RunControl, finished: () -> Bool, stopWorkers: () -> Void,
                     sink: ReportSink, sampler: HostSampler? = nil, checksSpread: Bool = false,
                     cpuSampler: CPUSampler? = nil, receiving: Bool = false, delivery: ReceiveDelivery = .network) -> RunSummary {
        let firstCPU = cpuSampler?.read()
        var previousCPU = firstCPU
        var threadCPUs = Array(repeating: -1, count: counters.count)
        let firstReading = sampler?.read()
        var previousReading = firstReading
        let start = MonotonicClock.now()
        // Never below a millisecond, whatever the caller passed: a zero-length interval
        // would never let the clock pass the next tick, and the loop below would spin.
        let nanosecondsPerInterval = max(Units.nanoseconds(interval), Self.shortestIntervalNanoseconds)
        let deadline = duration.map { Units.deadline(start, plusSeconds: $0) }
        var previous = Array(repeating: CounterSnapshot(), count: counters.count)
        var previousTime = start
        var nextTick = start &+ nanosecondsPerInterval
        var builder = SummaryBuilder(interval: interval)
        var reason = StopReason.count

        func emit(until now: UInt64) {
            var threads: [ThreadSample] = []
            var delta = CounterSnapshot()
            for index in 0..<counters.count {
                let slot = counters.slot(index)
                let current = slot.read()
                let change = current.since(previous[index])
                previous[index] = current
                delta = delta + change
                threads.append(ThreadSample(id: index, cpu: slot.readCPU(), delta: change))
                threadCPUs[index] = threads[index].cpu
            }
            let length = Double(now &- previousTime) / 1e9
            var cpu: CPUUse?
            if let cpuSampler, let before = previousCPU {
                let reading = cpuSampler.read()
                cpu = CPUUse(from: before, to: reading, seconds: length,
                             receiving: receiving ? threads.map { ($0.cpu, $0.delta.packets) } : nil, delivery: delivery)
                previousCPU = reading
            }
            var host: HostDelta?
            if let sampler, let before = previousReading {
                let reading = sampler.read()
                host = HostDelta(from: before, to: reading)
                previousReading = reading
            }
            var report = IntervalReport(elapsed: Double(now &- start) / 1e9, length: length,
                                        delta: delta, threads: threads, host: host,
                                        warnings: checksSpread ? Spread.warnings(threads) : [])
            report.cpu = cpu
            previousTime = now
            builder.add(report)
            sink.interval(report)
        }

        while true {
            let now = MonotonicClock.now()
            if control.isStopRequested {
                reason = control.failureMessage == nil ? .count : .failure
                break
            }
            if finished() { reason = .count; break }
            if standardOutputClosed { reason = .outputClosed; break }
            if let deadline, now >= deadline { reason = .duration; break }
            if now >= nextTick {
                emit(until: now)
                while nextTick <= now { nextTick &+= nanosecondsPerInterval }
            }
            // Always look for a signal, if only without waiting: a line that takes longer to
            // write than the interval (a slow pipe, a sanitizer) must not make Ctrl-C unheard.
            let later = MonotonicClock.now()
            var wake = min(nextTick, later &+ Self.pollNanoseconds)
            if let deadline { wake = min(wake, deadline) }
            if Syscalls.waitForStopSignal(nanoseconds: wake > later ? wake &- later : 0) != nil {
                reason = .signal
                // A second Ctrl-C while the workers stop and the summary prints ends the process at once.
                Syscalls.unblockStopSignals()
                break
            }
        }
        stopWorkers()
        let end = MonotonicClock.now()
        // The last stretch since the previous line, unless it is empty and too short to mean anything.
        let tail = (0..<counters.count).contains { counters.read($0) != previous[$0] }
        if tail || end &- previousTime >= nanosecondsPerInterval / 2 { emit(until: end) }
        let totals = (0..<counters.count).map { counters.read($0) }
        let host = sampler.flatMap { sampler in firstReading.map { HostDelta(from: $0, to: sampler.read()) } }
        var summary = builder.summary(total: totals.reduce(CounterSnapshot(), +), threads: totals,
                                      seconds: Double(end &- start) / 1e9, reason: reason, host: host)
        // The workers recorded their own last CPU time as they ended, so this reading covers all of their work.
        if let cpuSampler, let firstCPU {
            summary.cpu = CPUUse(from: firstCPU, to: cpuSampler.read(), seconds: summary.seconds,
                                 receiving: receiving ? zip(threadCPUs, totals).map { ($0, $1.packets) } : nil, delivery: delivery)
        }
        return summary
    }
}
