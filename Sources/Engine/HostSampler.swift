import HostStats
import PacketIO
import Reporting

/// Reads the host's counters for a run: the UDP table, softnet, the drops of
/// the run's own sockets through a closure the run provides, and optionally one
/// interface's statistics. Used by the reporting thread only, never a worker.
package final class HostSampler {
    let socketDrops: () -> UInt64?
    let xdp: (() -> XDPStatistics?)?
    /// The watched interface, if any.
    package let interface: String?
    private var ethtool: EthtoolReader?
    private let published: PublishedHostReadings?

    /// A sampler; `socketDrops` sums SO_MEMINFO drops over the run's sockets;
    /// `interface` adds that interface's sysfs and driver (`ethtool -S`) counters.
    /// With `xdp`, the AF_XDP sockets' counters are read too; with `published`,
    /// every reading is also kept there for other threads.
    package init(socketDrops: @escaping () -> UInt64? = { nil }, xdp: (() -> XDPStatistics?)? = nil, interface: String? = nil,
                 published: PublishedHostReadings? = nil) {
        self.socketDrops = socketDrops
        self.xdp = xdp
        self.published = published
        self.interface = interface
        ethtool = interface.flatMap { try? EthtoolReader(interface: $0) }
    }

    /// Reads everything now.
    package func read() -> HostReading {
        let reading = HostReading(udp: UDPStatistics.current(), socketDrops: socketDrops(),
                                  softnet: try? SoftnetStatistics.current(),
                                  interface: interface.flatMap { try? InterfaceStatistics.current(interface: $0) },
                                  ethtool: try? ethtool?.read(), xdp: xdp?())
        published?.record(reading)
        return reading
    }
}
