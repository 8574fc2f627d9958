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
