/// Packets per RX queue from a driver's ethtool statistics.
package struct RxQueuePackets: Equatable, Sendable {
    /// The naming scheme that matched, e.g. `rx-N.rx_packets`.
    package var scheme: String
    /// Packets per queue index, sorted by queue.
    package var queues: [QueuePackets]

    /// One queue's count.
    package struct QueuePackets: Equatable, Sendable {
        /// The RX queue index.
        package var queue: Int
        /// Packets the driver counted on it.
        package var packets: UInt64

        /// Creates a count.
        package init(queue: Int, packets: UInt64) {
            self.queue = queue
            self.packets = packets
        }
    }

    /// Creates counts.
    package init(scheme: String, queues: [QueuePackets]) {
        self.scheme = scheme
        self.queues = queues
    }

    /// The count of one queue, nil when the driver does not list it.
    package subscript(queue queue: Int) -> UInt64? { queues.first { $0.queue == queue }?.packets }

    /// The sum over all queues; UInt64.max if it would not fit (counters a driver got wrong).
    package var total: UInt64 { queues.lazy.map(\.packets).saturatingSum }
}
