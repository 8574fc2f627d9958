import HostStats

/// How a network interface's counters moved.
package struct NICDelta: Equatable, Sendable {
    /// The interface's name.
    package var interface: String
    /// Its sysfs statistics (`rx_packets`, `rx_dropped`, `rx_missed_errors`, ...).
    package var counters: [String: UInt64]
    /// Packets per RX queue, when the driver reports them (`ethtool -S`).
    package var rxQueues: [RxQueuePackets.QueuePackets]?
    /// The driver's own drop counters that moved, with what each means.
    package var driverDrops: [(name: String, meaning: String, value: UInt64)]

    /// Creates a delta.
    package init(interface: String, counters: [String: UInt64], rxQueues: [RxQueuePackets.QueuePackets]?,
                driverDrops: [(name: String, meaning: String, value: UInt64)]) {
        self.interface = interface
        self.counters = counters
        self.rxQueues = rxQueues
        self.driverDrops = driverDrops
    }

    package static func == (lhs: NICDelta, rhs: NICDelta) -> Bool {
        lhs.interface == rhs.interface && lhs.counters == rhs.counters && lhs.rxQueues == rhs.rxQueues
            && lhs.driverDrops.map(\.name) == rhs.driverDrops.map(\.name)
            && lhs.driverDrops.map(\.value) == rhs.driverDrops.map(\.value)
    }
}
