import PacketIO

/// One CPU's time counters from a `cpuN` line of `/proc/stat`, in clock ticks
/// (USER_HZ, 100 a second on most hosts) since boot.
///
/// The columns are, in order: user, nice, system, idle, iowait, irq, softirq,
/// steal, guest, guest_nice. Guest time is already inside user and nice, so it
/// is not kept: the eight kept columns add up to all the CPU's time.
package struct CPUTimes: Equatable, Sendable {
    /// The CPU number (`cpu3` → 3).
    package var cpu: Int
    /// Ticks running user code (with nice and guest time: the kernel counts guests as user).
    package var user: UInt64
    /// Ticks running user code at a raised nice value.
    package var nice: UInt64
    /// Ticks in the kernel on behalf of a process (system calls).
    package var system: UInt64
    /// Ticks idle.
    package var idle: UInt64
    /// Ticks idle with a disk request outstanding. The kernel may count it backwards.
    package var iowait: UInt64
    /// Ticks serving hardware interrupts.
    package var irq: UInt64
    /// Ticks in softirq work: the kernel's network receive processing, above all.
    package var softirq: UInt64
    /// Ticks the hypervisor ran something else while this virtual CPU wanted to run.
    package var steal: UInt64

    /// Creates one CPU's counters; columns not given are 0.
    package init(cpu: Int, user: UInt64 = 0, nice: UInt64 = 0, system: UInt64 = 0, idle: UInt64 = 0,
                iowait: UInt64 = 0, irq: UInt64 = 0, softirq: UInt64 = 0, steal: UInt64 = 0) {
        self.cpu = cpu
        self.user = user
        self.nice = nice
        self.system = system
        self.idle = idle
        self.iowait = iowait
        self.irq = irq
        self.softirq = softirq
        self.steal = steal
    }

    /// The share of each kind of work since `earlier`, as fractions of all the
    /// ticks that passed. A counter that went backwards (iowait can; a counter
    /// that wrapped or a hostile file) counts as 0 for this interval; user + nice
    /// saturates. With no tick at all (a read twice within a tick), every share is 0.
    package func shares(since earlier: CPUTimes) -> CPUShare {
        func grown(_ now: UInt64, _ before: UInt64) -> UInt64 { now >= before ? now - before : 0 }
        let user = grown(self.user, earlier.user).addingSaturating(grown(nice, earlier.nice))
        let parts = [user, grown(system, earlier.system), grown(softirq, earlier.softirq), grown(irq, earlier.irq),
                     grown(iowait, earlier.iowait), grown(steal, earlier.steal), grown(idle, earlier.idle)]
        // Summed as Double: growths near 2^64 (a hostile file) would saturate a UInt64 total and break "the shares make 1".
        let total = parts.reduce(0.0) { $0 + Double($1) }
        func share(_ part: UInt64) -> Double { total == 0 ? 0 : min(Double(part) / total, 1) }
        return CPUShare(cpu: cpu, user: share(parts[0]), system: share(parts[1]), softirq: share(parts[2]),
                        irq: share(parts[3]), iowait: share(parts[4]), steal: share(parts[5]), idle: share(parts[6]))
    }
}

/// Where one CPU's time went over an interval, each a fraction from 0 to 1;
/// together they make 1 (up to rounding), or all are 0 when no tick passed.
package struct CPUShare: Equatable, Sendable {
    /// The CPU number.
    package var cpu: Int
    /// User code, nice included.
    package var user: Double
    /// The kernel on behalf of processes (system calls: sending, copying to user space).
    package var system: Double
    /// Softirq work: the kernel's own receive processing (NAPI, RPS backlogs, the UDP stack).
    package var softirq: Double
    /// Hardware interrupts.
    package var irq: Double
    /// Idle waiting for disk.
    package var iowait: Double
    /// Taken by the hypervisor.
    package var steal: Double
    /// Idle.
    package var idle: Double

    /// Creates a share; parts not given are 0.
    package init(cpu: Int, user: Double = 0, system: Double = 0, softirq: Double = 0, irq: Double = 0,
                iowait: Double = 0, steal: Double = 0, idle: Double = 0) {
        self.cpu = cpu
        self.user = user
        self.system = system
        self.softirq = softirq
        self.irq = irq
        self.iowait = iowait
        self.steal = steal
        self.idle = idle
    }

    /// The fraction the CPU was doing anything at all (1 − idle − iowait), 0 when no tick passed.
    package var busy: Double {
        let total = user + system + softirq + irq + iowait + steal + idle
        return total == 0 ? 0 : max(0, min(1, total - idle - iowait))
    }
}

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
