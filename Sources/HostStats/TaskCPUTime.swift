#if canImport(Glibc)
import Glibc
#endif
import PacketIO

/// One thread's (or process's) CPU time from its `stat` file in /proc
/// (`/proc/self/task/TID/stat`, `/proc/self/stat`), in clock ticks.
package struct TaskCPUTime: Equatable, Sendable {
    /// Field 14, utime: ticks in user mode.
    package var userTicks: UInt64
    /// Field 15, stime: ticks in the kernel on its behalf.
    package var systemTicks: UInt64
    /// Field 39, processor: the CPU it last ran on; nil on kernels that do not print it.
    package var lastCPU: Int?

    /// Creates a reading.
    package init(userTicks: UInt64, systemTicks: UInt64, lastCPU: Int? = nil) {
        self.userTicks = userTicks
        self.systemTicks = systemTicks
        self.lastCPU = lastCPU
    }

    /// Parses a `stat` line: `pid (comm) state ppid ...`. The command name
    /// may hold spaces and parentheses (a thread may name itself `a) b (`), so
    /// the fields are counted from the *last* `)`. Returns nil when there is no
    /// `)`, fewer than 13 fields follow it, or utime or stime is not a whole number.
    package static func parse(_ text: String) -> TaskCPUTime? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let after = fields(text[text.index(after: close)...].split(separator: "\n").first ?? "")
        // after[0] is field 3 (state): field N is after[N - 3].
        guard after.count > 12, let user = UInt64(after[11]), let system = UInt64(after[12]) else { return nil }
        let processor = after.count > 36 ? Int(after[36]).flatMap { $0 >= 0 ? $0 : nil } : nil
        return TaskCPUTime(userTicks: user, systemTicks: system, lastCPU: processor)
    }

    /// Reads a `stat` file such as `/proc/self/task/1234/stat` under `files`' root.
    package static func read(_ hostPath: String, _ files: HostFiles = HostFiles()) throws(HostReadError) -> TaskCPUTime {
        let text = try files.read(hostPath)
        guard let time = parse(text) else {
            throw .malformed(hostPath, "expected 'pid (name) state ...' with utime and stime in fields 14 and 15")
        }
        return time
    }

    /// One thread of this process, by its thread id (`gettid`).
    package static func thread(_ id: Int32, _ files: HostFiles = HostFiles()) throws(HostReadError) -> TaskCPUTime {
        try read("/proc/self/task/\(id)/stat", files)
    }

    /// This whole process: every thread, those that ended included.
    package static func process(_ files: HostFiles = HostFiles()) throws(HostReadError) -> TaskCPUTime {
        try read("/proc/self/stat", files)
    }

    /// The CPU time used since `earlier`, in seconds of user and system time;
    /// a counter that went backwards counts as 0.
    package func seconds(since earlier: TaskCPUTime, ticksPerSecond: Int = TaskCPUTime.ticksPerSecond) -> ThreadCPUSeconds {
        let hz = Double(max(ticksPerSecond, 1))
        return ThreadCPUSeconds(user: Double(userTicks >= earlier.userTicks ? userTicks - earlier.userTicks : 0) / hz,
                                system: Double(systemTicks >= earlier.systemTicks ? systemTicks - earlier.systemTicks : 0) / hz)
    }

    /// The kernel's USER_HZ, the unit of these files' times: `sysconf(_SC_CLK_TCK)`, 100 when unknown.
    package static let ticksPerSecond: Int = {
        let hz = sysconf(Int32(_SC_CLK_TCK))
        return hz > 0 ? hz : 100
    }()
}

/// CPU seconds a thread (or several) used over an interval.
package struct ThreadCPUSeconds: Equatable, Sendable {
    /// Seconds in user mode.
    package var user: Double
    /// Seconds in the kernel on its behalf.
    package var system: Double

    /// Creates a value.
    package init(user: Double = 0, system: Double = 0) {
        self.user = user
        self.system = system
    }

    /// User plus system.
    package var total: Double { user + system }

    /// The sum of two.
    package static func + (lhs: ThreadCPUSeconds, rhs: ThreadCPUSeconds) -> ThreadCPUSeconds {
        ThreadCPUSeconds(user: lhs.user + rhs.user, system: lhs.system + rhs.system)
    }
}
