#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import HostStats
import NetLab

@Suite(.serialized) struct VethEthtoolTests {
    @Test(.enabled(if: VethLab.unavailableReason() == nil, "needs root, ip (iproute2) and python3 for a network namespace")) func perQueueCountsThroughAVethPair() throws {
        let lab = try VethLab()
        defer { lab.remove() }
        let name = lab.hostEnd

        var failures: [HostReadError] = []
        let queues = try InterfaceQueues.read(interface: name, failures: &failures)
        #expect(queues.receive.count == 4)
        #expect(queues.transmit.count == 4)
        let interface = NetworkInterface.read(name, failures: &failures)
        #expect(interface.device == nil)
        #expect(failures == [])
        let channels = try Ethtool.channels(interface: name)
        #expect(channels.maxReceive == 4)
        #expect(channels.maxTransmit == 4)
        #expect(throws: HostReadError(subject: "ethtool -n \(name) rx-flow-hash udp4", kind: .unsupported, code: EOPNOTSUPP,
                                      reason: "the driver of \(name) does not support ETHTOOL_GRXFH (operation not supported)")) {
            try Ethtool.flowHash(interface: name, flow: .udp4)
        }

        let names = try Ethtool.statisticNames(interface: name)
        #expect(names.first == "peer_ifindex")
        #expect(names.contains("rx_queue_3_xdp_packets"))
        var reader = try EthtoolReader(interface: name)
        #expect(reader.names == names)
        let ethtoolBefore = try reader.read()
        let statisticsBefore = try InterfaceStatistics.current(interface: name)
        let softnetBefore = try SoftnetStatistics.current()

        let count: UInt64 = 1000
        try lab.send(Int(count))
        // NAPI takes the packets off the ring after the sender returns: wait for the count to settle.
        var ethtoolAfter = ethtoolBefore
        for _ in 0..<250 {
            ethtoolAfter = try reader.read()
            if (ethtoolAfter.since(ethtoolBefore).rxQueuePackets?.total ?? 0) >= count { break }
            usleep(20_000)
        }
        usleep(100_000)
        ethtoolAfter = try Ethtool.statistics(interface: name)
        let statisticsAfter = try InterfaceStatistics.current(interface: name)
        let softnetAfter = try SoftnetStatistics.current()

        let perQueue = try #require(ethtoolAfter.since(ethtoolBefore).rxQueuePackets)
        #expect(perQueue.scheme == "rx_queue_N_xdp_packets")
        #expect(perQueue.queues.map(\.queue) == [0, 1, 2, 3])
        #expect(perQueue.total == count)
        #expect(ethtoolAfter.names == names)
        #expect(statisticsAfter.since(statisticsBefore)["rx_packets"] == count)
        // On its NAPI path veth counts bytes after the Ethernet header is pulled: 20 IP + 8 UDP + 32 payload.
        #expect(statisticsAfter.since(statisticsBefore)["rx_bytes"] == count * 60)
        let processed = softnetAfter.since(softnetBefore).cpus.reduce(UInt64(0)) { $0 + UInt64($1.processed) }
        #expect(processed >= count)

        let snapshot = HostSnapshot.read(interfaces: [name])
        #expect(snapshot.interfaces.first?.receiveQueueCount == 4)
        if case .success(let statistics) = snapshot.interfaces.first?.ethtool {
            #expect(statistics.rxQueuePackets?.total == perQueue.total + (ethtoolBefore.rxQueuePackets?.total ?? 0))
        } else {
            Issue.record("ethtool statistics of \(name) unread in the snapshot")
        }
        lab.remove()
        #expect(!FileManager.default.fileExists(atPath: "/sys/class/net/\(name)"))
    }
}
