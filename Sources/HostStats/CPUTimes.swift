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
