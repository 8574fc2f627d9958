/// One CPU's row of `/proc/net/softnet_stat`: the work its network receive
/// softirq did, and the packets it had to drop.
///
/// The kernel prints these as 32-bit hexadecimal counters that wrap; ``SoftnetStatistics/since(_:)``
/// takes differences modulo 2³², so a delta across one wrap is still right.
package struct SoftnetCPU: Equatable, Sendable {
    /// The CPU number.
    package var cpu: Int
    /// Column 0: packets taken off this CPU's queues (from a NIC's NAPI poll or the backlog).
    package var processed: UInt32
    /// Column 1: packets dropped because this CPU's backlog was full (`net.core.netdev_max_backlog`).
    package var dropped: UInt32
    /// Column 2: times the softirq stopped with work left because `net.core.netdev_budget`
    /// (or `netdev_budget_usecs`) ran out.
    package var timeSqueeze: UInt32
    /// Column 9: times this CPU was woken by another to process packets steered to it (RPS).
    package var receivedRPS: UInt32
    /// Column 10: packets dropped by the flow limit (`net.core.flow_limit_cpu_bitmap`).
    package var flowLimitCount: UInt32
    /// Column 11 on newer kernels: packets waiting in this CPU's backlog when read (a gauge, not a counter).
    package var backlogLength: UInt32?

    /// Creates a row.
    package init(cpu: Int, processed: UInt32, dropped: UInt32, timeSqueeze: UInt32,
                receivedRPS: UInt32 = 0, flowLimitCount: UInt32 = 0, backlogLength: UInt32? = nil) {
        self.cpu = cpu
        self.processed = processed
        self.dropped = dropped
        self.timeSqueeze = timeSqueeze
        self.receivedRPS = receivedRPS
        self.flowLimitCount = flowLimitCount
        self.backlogLength = backlogLength
    }
}

/// `/proc/net/softnet_stat`: per-CPU receive work and backlog drops, one row per online CPU.
package struct SoftnetStatistics: Equatable, Sendable {
    /// One entry per CPU the kernel listed, in its order.
    package var cpus: [SoftnetCPU]

    /// Creates statistics from rows.
    package init(cpus: [SoftnetCPU]) { self.cpus = cpus }

    /// The host path this reads.
    package static let path = "/proc/net/softnet_stat"

    /// Parses the text of `/proc/net/softnet_stat`.
    ///
    /// The kernel prints a row only for online CPUs. Newer kernels put the CPU's
    /// number in column 12; older ones (11 columns) do not, so the *n*-th row is
    /// the *n*-th CPU of `onlineCPUs` when given, else CPU *n* (wrong only when a
    /// CPU below the last is offline). Returns nil when a row is not hexadecimal
    /// or has fewer than 3 columns.
    package static func parse(_ text: String, onlineCPUs: [Int]? = nil) -> SoftnetStatistics? {
        var rows: [SoftnetCPU] = []
        for (line, row) in text.split(separator: "\n").enumerated() {
            let columns = fields(row)
            if columns.isEmpty { continue }
            var values: [UInt32] = []
            for column in columns {
                guard let value = UInt32(column, radix: 16) else { return nil }
                values.append(value)
            }
            guard values.count >= 3 else { return nil }
            let column = { (index: Int) -> UInt32 in index < values.count ? values[index] : 0 }
            let cpu: Int
            if values.count >= 13 {
                cpu = Int(values[12])
            } else if let onlineCPUs, line < onlineCPUs.count {
                cpu = onlineCPUs[line]
            } else {
                cpu = line
            }
            rows.append(SoftnetCPU(cpu: cpu, processed: values[0], dropped: values[1], timeSqueeze: values[2],
                                   receivedRPS: column(9), flowLimitCount: column(10),
                                   backlogLength: values.count >= 12 ? values[11] : nil))
        }
        return SoftnetStatistics(cpus: rows)
    }

    /// Reads `/proc/net/softnet_stat` under `files`' root. `onlineCPUs` places the
    /// rows of kernels that do not print CPU numbers (see ``parse(_:onlineCPUs:)``).
    package static func read(_ files: HostFiles = HostFiles(), onlineCPUs: [Int]? = nil) throws(HostReadError) -> SoftnetStatistics {
        let text = try files.read(path)
        guard let statistics = parse(text, onlineCPUs: onlineCPUs) else {
            throw .malformed(path, "expected rows of hexadecimal counters")
        }
        return statistics
    }

    /// This host's statistics, read now.
    package static func current() throws(HostReadError) -> SoftnetStatistics {
        try read(HostFiles(), onlineCPUs: try? CPUTopology.readOnline(HostFiles()))
    }

    /// The row of one CPU, if the kernel listed it.
    package subscript(cpu cpu: Int) -> SoftnetCPU? { cpus.first { $0.cpu == cpu } }

    /// The sum over all CPUs (CPU -1), in 64 bits.
    package var total: (processed: UInt64, dropped: UInt64, timeSqueeze: UInt64) {
        cpus.reduce(into: (UInt64(0), UInt64(0), UInt64(0))) { sum, row in
            sum.0 += UInt64(row.processed)
            sum.1 += UInt64(row.dropped)
            sum.2 += UInt64(row.timeSqueeze)
        }
    }

    /// Each CPU's growth since `earlier`, modulo 2³² as the kernel's counters wrap.
    /// A CPU absent from `earlier` (it came online) keeps its current values;
    /// ``SoftnetCPU/backlogLength`` is a gauge and keeps its current value.
    package func since(_ earlier: SoftnetStatistics) -> SoftnetStatistics {
        SoftnetStatistics(cpus: cpus.map { now in
            guard let before = earlier[cpu: now.cpu] else { return now }
            return SoftnetCPU(cpu: now.cpu,
                              processed: now.processed &- before.processed,
                              dropped: now.dropped &- before.dropped,
                              timeSqueeze: now.timeSqueeze &- before.timeSqueeze,
                              receivedRPS: now.receivedRPS &- before.receivedRPS,
                              flowLimitCount: now.flowLimitCount &- before.flowLimitCount,
                              backlogLength: now.backlogLength)
        })
    }
}
