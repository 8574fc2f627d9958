/// A host's CPUs, interfaces, counters and settings, read at one moment from `/proc`,
/// `/sys` and ethtool, so that ``Doctor``'s rules are pure functions of a value that
/// fixture trees captured on other hosts can stand in for.
package struct HostSnapshot: Equatable, Sendable {
    /// The root the files were read under (`/` for this host).
    package var root: String
    /// CPUs, cores, packages and NUMA nodes.
    package var topology: Result<CPUTopology, HostReadError>
    /// `/proc/net/softnet_stat`.
    package var softnet: Result<SoftnetStatistics, HostReadError>
    /// `/proc/interrupts`.
    package var interrupts: Result<InterruptTable, HostReadError>
    /// The network sysctls.
    package var sysctls: NetworkSysctls
    /// Connection tracking.
    package var conntrack: ConntrackState
    /// Every interface the host has, by ifindex.
    package var allInterfaces: [String]
    /// The interfaces looked at, in the order asked.
    package var interfaces: [InterfaceSnapshot]
    /// Every reading that could not be done, in the order tried.
    package var failures: [HostReadError]

    /// Creates a snapshot from parts (tests build them by hand).
    package init(root: String, topology: Result<CPUTopology, HostReadError>, softnet: Result<SoftnetStatistics, HostReadError>,
                interrupts: Result<InterruptTable, HostReadError>, sysctls: NetworkSysctls, conntrack: ConntrackState,
                allInterfaces: [String], interfaces: [InterfaceSnapshot], failures: [HostReadError]) {
        self.root = root
        self.topology = topology
        self.softnet = softnet
        self.interrupts = interrupts
        self.sysctls = sysctls
        self.conntrack = conntrack
        self.allInterfaces = allInterfaces
        self.interfaces = interfaces
        self.failures = failures
    }

    /// Reads a host: `root` `/` is this one (ethtool by ioctl); any other root is a
    /// fixture tree with the same layout (ethtool from its `ethtool-*.txt` files).
    /// `interfaces` nil means ``NetworkInterface/defaultSelection(_:)``; names that do
    /// not exist are read anyway and fail (check them against ``allInterfaces`` first).
    package static func read(root: String = "/", interfaces selection: [String]? = nil,
                            ethtool: EthtoolSource? = nil) -> HostSnapshot {
        read(HostFiles(root: root), interfaces: selection, ethtool: ethtool)
    }

    /// Reads the host that `files` stand for (a root directory or a ``HostTree``), as ``read(root:interfaces:ethtool:)``.
    package static func read(_ files: HostFiles, interfaces selection: [String]? = nil,
                            ethtool: EthtoolSource? = nil) -> HostSnapshot {
        let ethtool = ethtool ?? .matching(files)
        var failures: [HostReadError] = []
        func attempt<T>(_ body: () throws(HostReadError) -> T) -> Result<T, HostReadError> {
            do throws(HostReadError) {
                return .success(try body())
            } catch {
                failures.append(error)
                return .failure(error)
            }
        }
        let topology = attempt { () throws(HostReadError) in try CPUTopology.read(files, failures: &failures) }
        let online = try? topology.get().online
        let softnet = attempt { () throws(HostReadError) in try SoftnetStatistics.read(files, onlineCPUs: online) }
        let interrupts = attempt { () throws(HostReadError) in try InterruptTable.read(files) }
        let sysctls = NetworkSysctls.read(files, failures: &failures)
        let conntrack = ConntrackState.read(files)
        let all = attempt { () throws(HostReadError) in try NetworkInterface.names(files) }
        let allNames = (try? all.get()) ?? []
        let names = selection ?? NetworkInterface.defaultSelection(allNames)
        var snapshots: [InterfaceSnapshot] = []
        for name in names {
            let interface = NetworkInterface.read(name, files, failures: &failures)
            let statistics = attempt { () throws(HostReadError) in try InterfaceStatistics.read(interface: name, files) }
            let queues = attempt { () throws(HostReadError) in try InterfaceQueues.read(interface: name, files, failures: &failures) }
            var queueInterrupts = (try? interrupts.get())?.queueInterrupts(interface: name, device: interface.device) ?? []
            for index in queueInterrupts.indices {
                QueueInterrupt.readAffinity(&queueInterrupts[index], files, failures: &failures)
            }
            let ethtoolStatistics = attempt { () throws(HostReadError) in try ethtool.statistics(interface: name) }
            let channels = attempt { () throws(HostReadError) in try ethtool.channels(interface: name) }
            var hashes: [FlowType: Result<FlowHash, HostReadError>] = [:]
            hashes[.udp4] = attempt { () throws(HostReadError) in try ethtool.flowHash(interface: name, flow: .udp4) }
            if case .success = hashes[.udp4] {
                hashes[.udp6] = attempt { () throws(HostReadError) in try ethtool.flowHash(interface: name, flow: .udp6) }
            }
            snapshots.append(InterfaceSnapshot(interface: interface, statistics: statistics, queues: queues,
                                               interrupts: queueInterrupts, ethtool: ethtoolStatistics,
                                               channels: channels, flowHashes: hashes))
        }
        return HostSnapshot(root: files.root, topology: topology, softnet: softnet, interrupts: interrupts,
                            sysctls: sysctls, conntrack: conntrack, allInterfaces: allNames,
                            interfaces: snapshots, failures: failures)
    }
}
