import PacketIO

/// One thread's share of an interval.
public struct ThreadSample: Equatable, Sendable {
    /// The thread's index in the run, from 0.
    public var id: Int
    /// The CPU the thread last ran on (-1 when unknown).
    public var cpu: Int
    /// What the thread did during the interval.
    public var delta: CounterSnapshot

    /// Creates a sample.
    public init(id: Int, cpu: Int, delta: CounterSnapshot) {
        self.id = id
        self.cpu = cpu
        self.delta = delta
    }
}

/// What a run did during one reporting interval.
public struct IntervalReport: Equatable, Sendable {
    /// Seconds from the start of the run to the end of this interval.
    public var elapsed: Double
    /// Seconds this interval covered (the last one of a run may be short).
    public var length: Double
    /// All threads together.
    public var delta: CounterSnapshot
    /// Each thread.
    public var threads: [ThreadSample]
    /// How the host's counters moved, when the run reads them.
    public var host: HostDelta?
    /// Things a person should know about this interval (an uneven spread, say).
    public var warnings: [String]

    /// Creates a report.
    public init(elapsed: Double, length: Double, delta: CounterSnapshot, threads: [ThreadSample],
                host: HostDelta? = nil, warnings: [String] = []) {
        self.elapsed = elapsed
        self.length = length
        self.delta = delta
        self.threads = threads
        self.host = host
        self.warnings = warnings
    }

    /// Datagrams per second over the interval.
    public var packetsPerSecond: Double { length > 0 ? Double(delta.packets) / length : 0 }
    /// Payload bytes per second over the interval.
    public var bytesPerSecond: Double { length > 0 ? Double(delta.bytes) / length : 0 }
}

/// The whole run, printed once at the end.
public struct RunSummary: Equatable, Sendable {
    /// Totals over all threads.
    public var total: CounterSnapshot
    /// Seconds from start to stop.
    public var seconds: Double
    /// `total.packets / seconds`.
    public var meanPacketsPerSecond: Double
    /// The slowest and fastest full interval (the only interval when none was full).
    public var minPacketsPerSecond: Double
    /// See ``minPacketsPerSecond``.
    public var maxPacketsPerSecond: Double
    /// Each thread's totals, by thread index.
    public var threads: [CounterSnapshot]
    /// Why the run ended.
    public var reason: StopReason
    /// How the host's counters moved over the whole run, when read.
    public var host: HostDelta? = nil
    /// What the sequence headers told, for a receiving run.
    public var sequences: SequenceReport? = nil
    /// A receiving run's sockets' `SO_INCOMING_CPU` at the end, in bind order; -1 when unknown.
    public var incomingCPUs: [Int]? = nil
}

/// Why a run ended.
public enum StopReason: String, Sendable {
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
public struct SummaryBuilder: Sendable {
    private var fullIntervalRates: [Double] = []
    private var partialIntervalRates: [Double] = []
    private let interval: Double

    /// A builder for intervals nominally `interval` seconds long.
    public init(interval: Double) { self.interval = interval }

    /// Adds one interval; only full-length ones count for min and max.
    public mutating func add(_ report: IntervalReport) {
        if report.length >= interval * 0.999 {
            fullIntervalRates.append(report.packetsPerSecond)
        } else if report.length > 0 {
            partialIntervalRates.append(report.packetsPerSecond)
        }
    }

    /// The summary for a run that moved `total` in `seconds`.
    public func summary(total: CounterSnapshot, threads: [CounterSnapshot], seconds: Double, reason: StopReason,
                        host: HostDelta? = nil) -> RunSummary {
        let mean = seconds > 0 ? Double(total.packets) / seconds : 0
        let rates = fullIntervalRates.isEmpty ? (partialIntervalRates.isEmpty ? [mean] : partialIntervalRates) : fullIntervalRates
        return RunSummary(total: total, seconds: seconds, meanPacketsPerSecond: mean,
                          minPacketsPerSecond: rates.min() ?? 0, maxPacketsPerSecond: rates.max() ?? 0,
                          threads: threads, reason: reason, host: host)
    }
}
