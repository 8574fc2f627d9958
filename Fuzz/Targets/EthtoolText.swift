// The parsers of ethtool's text as fixture trees hold it: `ethtool -S` (statistics,
// then per-queue packets and NIC drops found in them), `ethtool -l` (channels) and
// `ethtool -n IF rx-flow-hash` (RSS fields).
import HostStats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = FuzzInput(data, size).text
    if let statistics = EthtoolStatistics.parse(text, interface: "eth0") {
        require(statistics.names.count == statistics.values.count, "one value per name")
        inspect(statistics)
    }
    if let channels = Channels.parse(text) {
        _ = channels.receiving
        _ = channels.maxReceiving
    }
    for flow in [FlowType.udp4, .udp6] {
        guard let hash = FlowHash.parse(text, flow: flow) else { continue }
        _ = hash.fieldNames
        _ = hash.letters
        _ = hash.hashesPorts
    }
    return 0
}

/// What the reporter and the doctor compute from one reading.
func inspect(_ statistics: EthtoolStatistics) {
    if let queues = statistics.rxQueuePackets {
        _ = queues.total
        require(queues.queues.map(\.queue) == queues.queues.map(\.queue).sorted(), "queues in order")
    }
    _ = statistics.nicDrops
    let still = statistics.since(statistics)
    require(still.values.allSatisfy { $0 == 0 } || Set(statistics.names).count < statistics.names.count,
            "no growth since itself when names are distinct")
    let reordered = EthtoolStatistics(interface: statistics.interface, names: statistics.names.reversed(),
                                      values: statistics.values.reversed())
    _ = statistics.since(reordered)
}
