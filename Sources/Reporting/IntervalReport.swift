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
    /// Where CPU time went: each CPU's shares, each thread's CPU seconds, the findings; nil when not read.
    package var cpu: CPUUse? = nil

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

    /// The interval as a JSON line (`mpps recv --json`, `mpps send --json`), keys in this order:
    ///
    /// - `type`: `"interval"`.
    /// - `elapsed`: seconds from the start to the end of the interval (3 decimals).
    /// - `packets`, `bytes`: datagrams and payload bytes in the interval.
    /// - `pps`: datagrams per second over the interval (1 decimal).
    /// - `calls`: system calls that moved data (`recvmmsg`/`sendmmsg`).
    /// - `threads`: per thread `{"id":N,"cpu":N,"packets":N,"cpu_user_s":X,"cpu_system_s":X}` (`cpu` -1
    ///   when unknown; the CPU seconds the thread used in the interval, from /proc/self/task/ID/stat, when read).
    /// - `cpus`: per CPU `{"cpu":N,"user":X,"system":X,"softirq":X,"irq":X,"iowait":X,"steal":X,"idle":X}`,
    ///   fractions of the interval (/proc/stat), when read.
    /// - the host's counters when read (`recv`): see ``HostDelta/json``.
    /// - `warnings`: lines such as the uneven-spread warning, only when there are any.
    /// - `findings`: what the CPU shares say about the limit (``CPUDiagnosis``), only when there are any.
    package var json: JSONValue {
        var object: JSONObject = [
            "type": "interval",
            "elapsed": .fixed(elapsed, places: 3),
            "packets": .unsigned(delta.packets),
            "bytes": .unsigned(delta.bytes),
            "pps": .fixed(packetsPerSecond, places: 1),
            "calls": .unsigned(delta.calls),
            "threads": .array(threads.map { thread in
                var entry: JSONObject = ["id": .int(thread.id), "cpu": .int(thread.cpu), "packets": .unsigned(thread.delta.packets)]
                if let cpu, thread.id < cpu.threads.count, let seconds = cpu.threads[thread.id] {
                    entry.append("cpu_user_s", .fixed(seconds.user, places: 3))
                    entry.append("cpu_system_s", .fixed(seconds.system, places: 3))
                }
                return .object(entry)
            }),
        ]
        if let cpu, !cpu.cpus.isEmpty { object.append("cpus", cpu.cpusJSON) }
        if let host { object.append(contentsOf: host.json) }
        if !warnings.isEmpty { object.append("warnings", .strings(warnings)) }
        if let cpu, !cpu.findings.isEmpty { object.append("findings", .strings(cpu.findings.map(\.text))) }
        return .object(object)
    }
}
