import HostStats
import Reporting

/// Reads, for the monitor, every CPU's counters (/proc/stat), the workers' CPU
/// time and the whole process's: a ``CPUReading``.
package struct CPUSampler: Sendable {
    /// The run's workers.
    package let registry: ThreadCPURegistry

    /// A sampler of `registry`'s workers.
    package init(registry: ThreadCPURegistry) { self.registry = registry }

    /// Reads everything now. The process is read last, so that it includes what the threads used.
    package func read() -> CPUReading {
        CPUReading(processors: try? ProcessorTimes.read(), threads: registry.read(), process: try? TaskCPUTime.process())
    }
}
