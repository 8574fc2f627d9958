import Synchronization
import PacketIO
import Reporting

/// Counts worker threads that finished setting up, so a run can report that it
/// is receiving only once every thread really is.
package final class StartLatch: Sendable {
    private let arrived = Atomic<Int>(0)

    /// A latch nobody has arrived at.
    package init() {}

    /// Called by a worker once it is ready to move traffic (or has given up).
    package func arrive() { arrived.add(1, ordering: .releasing) }

    /// Waits until `count` workers arrived, or `seconds` passed; true if they all did.
    package func wait(for count: Int, seconds: Double) -> Bool {
        let deadline = MonotonicClock.now() &+ UInt64(seconds * 1e9)
        while arrived.load(ordering: .acquiring) < count {
            if MonotonicClock.now() >= deadline { return false }
            MonotonicClock.sleep(until: MonotonicClock.now() &+ 200_000)
        }
        return true
    }
}
