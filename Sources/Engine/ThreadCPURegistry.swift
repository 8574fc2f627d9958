import HostStats
import PacketIO
import Reporting
import Synchronization

/// Which kernel thread each of a run's workers is, so the monitor can read its
/// CPU time in /proc/self/task/ID/stat; and each worker's last reading, taken by
/// the worker itself as it ends, because a joined thread's file is gone.
package final class ThreadCPURegistry: Sendable {
    private struct Entry {
        var threadID: Int32 = -1
        var final: TaskCPUTime?
    }

    private let entries: Mutex<[Entry]>

    /// A registry for `count` workers, indexed like their counter slots.
    package init(count: Int) { entries = Mutex(Array(repeating: Entry(), count: max(count, 0))) }

    /// Called first by worker `index` on its own thread.
    package func register(_ index: Int) {
        let id = Syscalls.currentThreadID()
        entries.withLock { if $0.indices.contains(index) { $0[index].threadID = id } }
    }

    /// Called last by worker `index` on its own thread: keeps its CPU time for
    /// readings after it has been joined.
    package func finish(_ index: Int) {
        let id = entries.withLock { $0.indices.contains(index) ? $0[index].threadID : -1 }
        guard id >= 0, let time = try? TaskCPUTime.thread(id) else { return }
        entries.withLock { $0[index].final = time }
    }

    /// Each worker's CPU time now, by index; nil for one that never started or whose file could not be read.
    package func read() -> [TaskCPUTime?] {
        let now = entries.withLock { $0 }
        return now.map { entry in
            if let final = entry.final { return final }
            guard entry.threadID >= 0 else { return nil }
            return try? TaskCPUTime.thread(entry.threadID)
        }
    }
}
