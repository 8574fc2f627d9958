import PacketIO

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
