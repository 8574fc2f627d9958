import PacketIO

/// One thread's share of an interval.
package struct ThreadSample: Equatable, Sendable {
    /// The thread's index in the run, from 0.
    package var id: Int
    /// The CPU the thread last ran on (-1 when unknown).
    package var cpu: Int
    /// What the thread did during the interval.
    package var delta: CounterSnapshot

    /// Creates a sample.
    package init(id: Int, cpu: Int, delta: CounterSnapshot) {
        self.id = id
        self.cpu = cpu
        self.delta = delta
    }
}

/// What a run did during one reporting interval.
package struct IntervalReport: Equatable, Sendable {
    /// Seconds from the start of the run to the end of this interval.
    package var elapsed: Double
    /// Seconds this interval covered (the last one of a run may be short).
    package var length: Double
    /// All threads together.
    package var delta: CounterSnapshot
    /// Each thread.
    package var threads: [ThreadSample]
    /// How the host's counters moved, when the run reads them.
    package var host: HostDelta?
    /// Things a person should know about this interval (an uneven spread, say).
    package var warnings: [String]

    /// Creates a report.
    package init(elapsed: Double, length: Double, delta: CounterSnapshot, threads: [ThreadSample],
                host: HostDelta? = nil, warnings: [String] = []) {
        self.elapsed = elapsed
        self.length = length
        self.delta = delta
        self.threads = threads
        self.host = host
        self.warnings = warnings
    }

    /// Datagrams per second over the interval.
    package var packetsPerSecond: Double { length > 0 ? Double(delta.packets) / length : 0 }
    /// Payload bytes per second over the interval.
    package var bytesPerSecond: Double { length > 0 ? Double(delta.bytes) / length : 0 }
}

/// The whole run, printed once at the end.
package struct RunSummary: Equatable, Sendable {
    /// Totals over all threads.
    package var total: CounterSnapshot
    /// Seconds from start to stop.
    package var seconds: Double
    /// `total.packets / seconds`.
    package var meanPacketsPerSecond: Double
    /// The slowest and fastest full interval (the only interval when none was full).
    package var minPacketsPerSecond: Double
    /// See ``minPacketsPerSecond``.
    package var maxPacketsPerSecond: Double
    /// Each thread's totals, by thread index.
    package var threads: [CounterSnapshot]
    /// Why the run ended.
    package var reason: StopReason
    /// How the host's counters moved over the whole run, when read.
    package var host: HostDelta? = nil
    /// What the sequence headers told, for a receiving run.
    package var sequences: SequenceReport? = nil
    /// A receiving run's sockets' `SO_INCOMING_CPU` at the end, in bind order; -1 when unknown.
    package var incomingCPUs: [Int]? = nil
}

/// Why a run ended.
package enum StopReason: String, Sendable {
    /// `--duration` elapsed.
    case duration
    /// `--count` datagrams were reached.
    case count
    /// SIGINT or SIGTERM.
    case signal
    /// A thread failed.
    case failure
}

/// Collects interval reports into a ``RunSummary``.
package struct SummaryBuilder: Sendable {
    private var fullIntervalRates: [Double] = []
    private var partialIntervalRates: [Double] = []
    private let interval: Double

    /// A builder for intervals nominally `interval` seconds long.
    package init(interval: Double) { self.interval = interval }

    /// Adds one interval; only full-length ones count for min and max.
    package mutating func add(_ report: IntervalReport) {
        if report.length >= interval * 0.999 {
            fullIntervalRates.append(report.packetsPerSecond)
        } else if report.length > 0 {
            partialIntervalRates.append(report.packetsPerSecond)
        }
    }

    /// The summary for a run that moved `total` in `seconds`.
    package func summary(total: CounterSnapshot, threads: [CounterSnapshot], seconds: Double, reason: StopReason,
                        host: HostDelta? = nil) -> RunSummary {
        let mean = seconds > 0 ? Double(total.packets) / seconds : 0
        let rates = fullIntervalRates.isEmpty ? (partialIntervalRates.isEmpty ? [mean] : partialIntervalRates) : fullIntervalRates
        return RunSummary(total: total, seconds: seconds, meanPacketsPerSecond: mean,
                          minPacketsPerSecond: rates.min() ?? 0, maxPacketsPerSecond: rates.max() ?? 0,
                          threads: threads, reason: reason, host: host)
    }
}
