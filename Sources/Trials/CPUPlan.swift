import PacketIO
import Reporting

/// Which CPUs the threads of one experiment are pinned to.
package struct CPUPlan: Sendable, Equatable {
    /// CPUs for the sending threads (thread i on `sender[i % count]`).
    package var sender: [Int]
    /// CPUs for the receiving threads.
    package var receiver: [Int]
    /// True when there are fewer CPUs than threads, so some threads share one.
    package var shared: Bool
}
