/// Reads one interface's ethtool statistics again and again, as a reporter does once per
/// interval: the names are asked for once (`ETHTOOL_GSTRINGS`), then each ``read()`` is
/// one `ETHTOOL_GSTATS`. When the driver's count changes (channels reconfigured),
/// the names are read again.
///
/// ```swift
/// var reader = try EthtoolReader(interface: "eth2")
/// let before = try reader.read()
/// // ... one interval later
/// let perQueue = try reader.read().since(before).rxQueuePackets   // packets per RX queue in the interval
/// ```
package struct EthtoolReader: Sendable {
    /// The interface.
    package let interface: String
    /// The statistic names, as last read.
    package private(set) var names: [String]

    /// Reads the names of `interface`'s statistics.
    package init(interface: String) throws(HostReadError) {
        self.interface = interface
        self.names = try Ethtool.statisticNames(interface: interface)
    }

    /// The statistics now. The corresponding C call is `ioctl(fd, SIOCETHTOOL, &ifreq)`.
    package mutating func read() throws(HostReadError) -> EthtoolStatistics {
        do throws(HostReadError) {
            let values = try Ethtool.statisticValues(interface: interface, expectedCount: names.count)
            return EthtoolStatistics(interface: interface, names: names, values: values)
        } catch where error.kind == .malformed {
            names = try Ethtool.statisticNames(interface: interface)
            let values = try Ethtool.statisticValues(interface: interface, expectedCount: names.count)
            return EthtoolStatistics(interface: interface, names: names, values: values)
        }
    }
}
