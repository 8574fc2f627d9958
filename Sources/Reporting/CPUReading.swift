import HostStats

/// Where CPU time had gone at one moment: every CPU's counters, each worker
/// thread's and the process's CPU time (all since boot or since they started).
package struct CPUReading: Sendable {
    /// /proc/stat's per-CPU lines.
    package var processors: ProcessorTimes?
    /// Each worker's /proc/self/task/ID/stat, by index; nil when unreadable.
    package var threads: [TaskCPUTime?]
    /// /proc/self/stat: every thread of the process, ended ones included.
    package var process: TaskCPUTime?

    /// Creates a reading.
    package init(processors: ProcessorTimes? = nil, threads: [TaskCPUTime?] = [], process: TaskCPUTime? = nil) {
        self.processors = processors
        self.threads = threads
        self.process = process
    }
}
