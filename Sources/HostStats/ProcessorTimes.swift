/// The per-CPU lines of `/proc/stat`: how each CPU's time was spent since boot.
package struct ProcessorTimes: Equatable, Sendable {
    /// One entry per `cpuN` line, in the kernel's order (online CPUs only).
    package var cpus: [CPUTimes]

    /// Creates a reading from rows.
    package init(cpus: [CPUTimes]) { self.cpus = cpus }

    /// The host path this reads.
    package static let path = "/proc/stat"

    /// The most CPU lines read: more than any machine has, so a hostile file cannot make us allocate without end.
    package static let maximumCPUs = 8192

    /// Parses the text of `/proc/stat`: every line `cpuN` followed by at least
    /// four decimal columns (kernels before 2.6 had four; missing later columns
    /// are 0). The aggregate `cpu` line and every other line are skipped.
    /// Returns nil when a `cpuN` line has a column that is not a whole number
    /// that fits 64 bits, fewer than four columns, or a CPU number seen before.
    package static func parse(_ text: String) -> ProcessorTimes? {
        var rows: [CPUTimes] = []
        var seen = Set<Int>()
        for line in text.split(separator: "\n") {
            let columns = fields(line)
            guard let name = columns.first, name.hasPrefix("cpu"), name.count > 3 else { continue }
            guard let cpu = Int(name.dropFirst(3)), cpu >= 0, !seen.contains(cpu) else { return nil }
            var values: [UInt64] = []
            for column in columns.dropFirst().prefix(8) {
                guard let value = UInt64(column) else { return nil }
                values.append(value)
            }
            guard values.count >= 4, rows.count < maximumCPUs else { return nil }
            let value = { (index: Int) -> UInt64 in index < values.count ? values[index] : 0 }
            seen.insert(cpu)
            rows.append(CPUTimes(cpu: cpu, user: value(0), nice: value(1), system: value(2), idle: value(3),
                                 iowait: value(4), irq: value(5), softirq: value(6), steal: value(7)))
        }
        return ProcessorTimes(cpus: rows)
    }

    /// Reads `/proc/stat` under `files`' root.
    package static func read(_ files: HostFiles = HostFiles()) throws(HostReadError) -> ProcessorTimes {
        let text = try files.read(path)
        guard let times = parse(text) else {
            throw .malformed(path, "expected lines 'cpuN' followed by whole numbers of clock ticks")
        }
        return times
    }

    /// The row of one CPU, if the kernel listed it.
    package subscript(cpu cpu: Int) -> CPUTimes? { cpus.first { $0.cpu == cpu } }

    /// Each CPU's shares since `earlier`, for the CPUs in both readings (one that
    /// came online in between has no interval to share), in this reading's order.
    package func shares(since earlier: ProcessorTimes) -> [CPUShare] {
        cpus.compactMap { now in earlier[cpu: now.cpu].map { now.shares(since: $0) } }
    }
}
