/// Everything `mpps doctor` knows about one interface, read at one moment.
package struct InterfaceSnapshot: Equatable, Sendable {
    /// Name, state, driver, device and NUMA node.
    package var interface: NetworkInterface
    /// `/sys/class/net/IF/statistics`.
    package var statistics: Result<InterfaceStatistics, HostReadError>
    /// `/sys/class/net/IF/queues` with RPS and XPS masks.
    package var queues: Result<InterfaceQueues, HostReadError>
    /// The interrupts of its queues, with their affinity (empty for virtual interfaces).
    package var interrupts: [QueueInterrupt]
    /// `ethtool -S IF`.
    package var ethtool: Result<EthtoolStatistics, HostReadError>
    /// `ethtool -l IF`.
    package var channels: Result<Channels, HostReadError>
    /// `ethtool -n IF rx-flow-hash udp4` and `udp6`; udp6 is not asked when udp4 failed
    /// (a driver without the request has it for neither).
    package var flowHashes: [FlowType: Result<FlowHash, HostReadError>]

    /// Creates a snapshot of an interface.
    package init(interface: NetworkInterface, statistics: Result<InterfaceStatistics, HostReadError>,
                queues: Result<InterfaceQueues, HostReadError>, interrupts: [QueueInterrupt],
                ethtool: Result<EthtoolStatistics, HostReadError>, channels: Result<Channels, HostReadError>,
                flowHashes: [FlowType: Result<FlowHash, HostReadError>]) {
        self.interface = interface
        self.statistics = statistics
        self.queues = queues
        self.interrupts = interrupts
        self.ethtool = ethtool
        self.channels = channels
        self.flowHashes = flowHashes
    }

    /// The name.
    package var name: String { interface.name }

    /// The number of receive queues: sysfs's `rx-N` count, or the driver's receiving
    /// channels when sysfs could not be read.
    package var receiveQueueCount: Int? {
        if case .success(let queues) = queues { return queues.receive.count }
        if case .success(let channels) = channels { return channels.receiving }
        return nil
    }

    /// The interrupts that deliver received packets.
    package var receiveInterrupts: [QueueInterrupt] { interrupts.filter(\.receives) }
}
