/// An interface's counters from `/sys/class/net/IF/statistics/*`, the ones
/// `ip -s link` prints: `rx_packets`, `rx_dropped`, `rx_missed_errors`, `tx_packets`...
package struct InterfaceStatistics: Equatable, Sendable {
    /// The interface name.
    package var interface: String
    /// Counter name (the file's name) to value.
    package var counters: [String: UInt64]

    /// Creates statistics.
    package init(interface: String, counters: [String: UInt64]) {
        self.interface = interface
        self.counters = counters
    }

    /// A counter by name, 0 when the kernel does not report it.
    package subscript(_ name: String) -> UInt64 { counters[name] ?? 0 }

    /// The receive-side counters that mean a packet was lost, in the order worth
    /// reading them: the NIC ran out of descriptors or FIFO space, or the stack dropped it.
    package static let receiveDropNames = ["rx_dropped", "rx_missed_errors", "rx_fifo_errors", "rx_over_errors"]

    /// The receive-drop counters that are not zero, in ``receiveDropNames`` order.
    package var receiveDrops: [(name: String, value: UInt64)] {
        Self.receiveDropNames.compactMap { name in
            guard let value = counters[name], value > 0 else { return nil }
            return (name, value)
        }
    }

    /// Reads every file in `/sys/class/net/IF/statistics`.
    package static func read(interface: String, _ files: HostFiles = HostFiles()) throws(HostReadError) -> InterfaceStatistics {
        let directory = NetworkInterface.directory(interface) + "/statistics"
        var counters: [String: UInt64] = [:]
        for name in try files.list(directory) {
            let path = directory + "/" + name
            let text = try files.value(path)
            guard let value = UInt64(text) else { throw .malformed(path, "expected a counter, found '\(text)'") }
            counters[name] = value
        }
        return InterfaceStatistics(interface: interface, counters: counters)
    }

    /// This host's counters of `interface`, read now.
    package static func current(interface: String) throws(HostReadError) -> InterfaceStatistics {
        try read(interface: interface)
    }

    /// Each counter's growth since `earlier`; counters that shrank (the device was reset) give 0.
    package func since(_ earlier: InterfaceStatistics) -> InterfaceStatistics {
        InterfaceStatistics(interface: interface, counters: counters.reduce(into: [:]) { result, entry in
            let before = earlier.counters[entry.key] ?? 0
            result[entry.key] = entry.value >= before ? entry.value - before : 0
        })
    }
}
