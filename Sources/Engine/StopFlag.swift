import Synchronization
import PacketIO
import Reporting

/// A stop request readable with one relaxed load.
package struct StopFlag: @unchecked Sendable {
    // Safety: points into a RunControl that outlives every worker.
    let storage: UnsafeMutablePointer<Atomic<Bool>>

    /// True once a stop was requested.
    @inline(__always)
    package var isSet: Bool { storage.pointee.load(ordering: .relaxed) }

    /// Requests the stop.
    @inline(__always)
    package func set() { storage.pointee.store(true, ordering: .relaxed) }
}
