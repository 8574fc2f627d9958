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
    /// Where CPU time went over the whole run, when read.
    package var cpu: CPUUse? = nil

    /// CPU nanoseconds the worker threads used per datagram (their user + system
    /// over the datagrams counted): the efficiency figure; nil without CPU times or datagrams.
    package var cpuNanosecondsPerDatagram: Double? {
        guard let cpu, total.packets > 0, cpu.threads.contains(where: { $0 != nil }) else { return nil }
        return cpu.threadTotal.total * 1e9 / Double(total.packets)
    }

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
    /// - when CPU time was read: `cpus` (each CPU's shares over the run, as in ``IntervalReport/json``),
    ///   `cpu_user_s`, `cpu_system_s` (the worker threads' CPU seconds, all together), `cpu_process_s`
    ///   (the whole process's user + system seconds over the run), `cpu_ns_per_datagram` (the workers'
    ///   CPU nanoseconds per datagram, null without datagrams) and `findings` (``CPUDiagnosis``, over the run).
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
        if let cpu {
            if !cpu.cpus.isEmpty { object.append("cpus", cpu.cpusJSON) }
            object.append("cpu_user_s", .fixed(cpu.threadTotal.user, places: 3))
            object.append("cpu_system_s", .fixed(cpu.threadTotal.system, places: 3))
            object.append("cpu_process_s", .optional(cpu.process) { .fixed($0.total, places: 3) })
            object.append("cpu_ns_per_datagram", .optional(cpuNanosecondsPerDatagram) { .fixed($0, places: 1) })
            object.append("findings", .strings(cpu.findings.map(\.text)))
        }
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
