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
