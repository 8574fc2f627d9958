/// A NIC-level counter of packets the device or driver received but could not deliver.
package struct NICDropCounter: Equatable, Sendable {
    /// The name in `ethtool -S`.
    package let name: String
    /// What it counts, for a person.
    package let meaning: String

    /// Creates a counter description.
    package init(_ name: String, _ meaning: String) {
        self.name = name
        self.meaning = meaning
    }

    /// The drop counters worth watching, with what each means.
    package static let known: [NICDropCounter] = [
        NICDropCounter("rx_nodesc_drop_cnt", "Solarflare: no free RX descriptor, the queue's CPU did not keep up"),
        NICDropCounter("rx_out_of_buffer", "mlx5: no receive buffer posted, the queue's CPU did not keep up"),
        NICDropCounter("rx_discards_phy", "mlx5: dropped at the port for lack of buffer"),
        NICDropCounter("rx_no_buffer_count", "igb/e1000: no receive buffer"),
        NICDropCounter("rx_missed_errors", "the NIC's receive FIFO overflowed"),
        NICDropCounter("rx_fifo_errors", "the NIC's receive FIFO overflowed"),
        NICDropCounter("rx_over_errors", "receive ring overrun"),
        NICDropCounter("port.rx_dropped", "i40e: dropped at the port"),
        NICDropCounter("rx_dropped", "dropped by the driver"),
        NICDropCounter("rx_drops", "dropped by the driver"),
    ]
}
