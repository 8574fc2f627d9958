import HostStats
import PacketIO

/// The host's counters that explain lost datagrams, read at one moment.
package struct HostReading: Sendable {
    /// UDP counters of /proc/net/snmp and snmp6, IPv4 and IPv6 together.
    package var udp: UDPStatistics?
    /// Drops at this run's own sockets (SO_MEMINFO), summed.
    package var socketDrops: UInt64?
    /// /proc/net/softnet_stat: per CPU, packets processed, backlog drops, budget squeezes.
    package var softnet: SoftnetStatistics?
    /// The watched interface's sysfs statistics.
    package var interface: InterfaceStatistics?
    /// The watched interface's driver statistics (`ethtool -S`).
    package var ethtool: EthtoolStatistics?
    /// The AF_XDP sockets' drop counters (`mpps recv --xdp`), summed.
    package var xdp: XDPStatistics?

    /// Creates a reading.
    package init(udp: UDPStatistics? = nil, socketDrops: UInt64? = nil, softnet: SoftnetStatistics? = nil,
                interface: InterfaceStatistics? = nil, ethtool: EthtoolStatistics? = nil, xdp: XDPStatistics? = nil) {
        self.xdp = xdp
        self.udp = udp
        self.socketDrops = socketDrops
        self.softnet = softnet
        self.interface = interface
        self.ethtool = ethtool
    }
}
