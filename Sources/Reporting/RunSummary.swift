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

    /// The run as the last JSON line (`mpps recv --json`, `mpps send --json`), keys in this order:
    ///
    /// - `type`: `"summary"`.
    /// - `packets`, `bytes`: datagrams and payload bytes in the run.
    /// - `seconds`: from start to stop (3 decimals).
    /// - `pps_mean`, `pps_min`, `pps_max`: the mean rate; the slowest and fastest full interval (1 decimal).
    /// - `calls`: system calls that moved data: `packets / calls` is the batching achieved.
    /// - `threads`: datagrams per thread.
    /// - `refused`: sends that got `ECONNREFUSED` (not sent); `no_buffers`: sends that got `ENOBUFS`
    ///   and were retried; `truncated`: datagrams longer than the receive slot, cut short.
    /// - `stop`: why the run ended, a ``StopReason``: `duration`, `count`, `signal` or `failure`.
    /// - the host's counters when read (`recv`): see ``HostDelta/json``.
    /// - the sequence numbers' account (`recv`, when datagrams carried headers): see ``SequenceReport/json``.
    /// - `incoming_cpus` (`recv`): each socket's `SO_INCOMING_CPU`, in bind order; -1 when unknown.
    package var json: JSONValue {
        var object: JSONObject = [
            "type": "summary",
            "packets": .unsigned(total.packets),
            "bytes": .unsigned(total.bytes),
            "seconds": .fixed(seconds, places: 3),
            "pps_mean": .fixed(meanPacketsPerSecond, places: 1),
            "pps_min": .fixed(minPacketsPerSecond, places: 1),
            "pps_max": .fixed(maxPacketsPerSecond, places: 1),
            "calls": .unsigned(total.calls),
            "threads": .counters(threads.map(\.packets)),
            "refused": .unsigned(total.refused),
            "no_buffers": .unsigned(total.noBuffers),
            "truncated": .unsigned(total.truncated),
            "stop": .string(reason.rawValue),
        ]
        if let host { object.append(contentsOf: host.json) }
        if let sequences { object.append(contentsOf: sequences.json) }
        if let incomingCPUs { object.append("incoming_cpus", .ints(incomingCPUs)) }
        return .object(object)
    }
}

/// Why a run ended.
package enum StopReason: String, Sendable {
    /// `--duration` elapsed.
    case duration
    /// `--count` datagrams were reached.
    case count
    /// SIGINT, SIGTERM or SIGHUP.
    case signal
    /// A thread failed.
    case failure
    /// Standard output's reader went away (`mpps recv | head -3`).
    case outputClosed = "output_closed"
}
