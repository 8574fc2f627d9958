#if canImport(Glibc)
import Glibc
#endif
import Testing
import HostStats

@Suite struct EthtoolStatisticsTests {
    @Test func solarflarePerQueueCountsAndDrops() throws {
        let statistics = try EthtoolSource.files(Fixture.files(Fixture.article)).statistics(interface: "eth2")
        #expect(statistics.names.count == 97)
        #expect(statistics["rx-4.rx_packets"] == 9_018_262_352)
        #expect(statistics["rx_nodesc_drop_cnt"] == 27_090_563)
        #expect(statistics["no_such_counter"] == nil)
        let packets = try #require(statistics.rxQueuePackets)
        #expect(packets.scheme == "rx-N.rx_packets")
        #expect(packets.queues.map(\.queue) == Array(0...10))
        #expect(packets[queue: 0] == 95)
        #expect(packets[queue: 3] == 5)
        #expect(packets[queue: 4] == 9_018_262_352)
        #expect(packets.total == 9_018_262_457)
        #expect(statistics.nicDrops.map(\.counter.name) == ["rx_nodesc_drop_cnt"])
        #expect(statistics.nicDrops.map(\.value) == [27_090_563])
    }

    @Test func mlx5PerChannelCounts() throws {
        let statistics = try EthtoolSource.files(Fixture.files(Fixture.mlx5)).statistics(interface: "enp59s0f0np0")
        let packets = try #require(statistics.rxQueuePackets)
        #expect(packets.scheme == "rxN_packets")
        #expect(packets.queues.count == 8)
        #expect(packets[queue: 7] == 6_026_672_143)
        #expect(statistics.nicDrops.map(\.counter.name) == ["rx_out_of_buffer", "rx_discards_phy"])
        #expect(statistics.nicDrops.map(\.value) == [1520, 0])
    }

    @Test(arguments: [
        ("     rx_queue_0_packets: 10\n     rx_queue_3_packets: 17\n     rx_queue_3_bytes: 999\n", "rx_queue_N_packets", [0: 10, 3: 17]),
        ("     rx-0.packets: 4\n     rx-2.packets: 6\n", "rx-N.packets", [0: 4, 2: 6]),
        ("     rx0_packets: 1\n     rx1_packets: 2\n     rx_packets: 3\n", "rxN_packets", [0: 1, 1: 2]),
        ("     queue_0_rx_cnt: 7\n     queue_1_rx_cnt: 8\n     queue_1_tx_cnt: 99\n", "queue_N_rx_cnt", [0: 7, 1: 8]),
        ("     [0]: rx_ucast_packets: 5\n     [0]: rx_mcast_packets: 2\n     [0]: rx_bcast_packets: 1\n     [1]: rx_ucast_packets: 9\n", "[N]: rx_ucast_packets", [0: 8, 1: 9]),
        ("     peer_ifindex: 7\n     rx_queue_0_xdp_packets: 250\n     rx_queue_0_drops: 0\n     rx_queue_1_xdp_packets: 750\n", "rx_queue_N_xdp_packets", [0: 250, 1: 750]),
    ] as [(String, String, [Int: UInt64])])
    func driverNamingSchemes(text: String, scheme: String, counts: [Int: UInt64]) throws {
        let statistics = try #require(EthtoolStatistics.parse("NIC statistics:\n" + text, interface: "x"))
        let packets = try #require(statistics.rxQueuePackets)
        #expect(packets.scheme == scheme)
        #expect(Dictionary(uniqueKeysWithValues: packets.queues.map { ($0.queue, $0.packets) }) == counts)
    }

    @Test func noSchemeMatches() throws {
        let statistics = try #require(EthtoolStatistics.parse("NIC statistics:\n     rx_packets: 5\n     tx_packets: 6\n", interface: "x"))
        #expect(statistics.rxQueuePackets == nil)
        #expect(statistics.entries.map(\.name) == ["rx_packets", "tx_packets"])
    }

    @Test func parseRejectsLinesWithoutValues() {
        #expect(EthtoolStatistics.parse("NIC statistics:\n     rx_packets: many\n", interface: "x") == nil)
        #expect(EthtoolStatistics.parse("NIC statistics:\n     rx_packets\n", interface: "x") == nil)
    }

    @Test func deltasByNameAndByPosition() {
        let before = EthtoolStatistics(interface: "x", names: ["a", "b"], values: [10, 50])
        let after = EthtoolStatistics(interface: "x", names: ["a", "b"], values: [15, 40])
        #expect(after.since(before).values == [5, 0])
        let grown = EthtoolStatistics(interface: "x", names: ["c", "b", "a"], values: [3, 60, 11])
        #expect(grown.since(before).values == [3, 10, 1])
    }

    @Test func flowHashFromEthtoolText() throws {
        let article = try EthtoolSource.files(Fixture.files(Fixture.article)).flowHash(interface: "eth2", flow: .udp4)
        #expect(article == FlowHash(flow: .udp4, bits: 0x30))
        #expect(article.fieldNames == ["IP SA", "IP DA"])
        #expect(article.letters == "sd")
        #expect(!article.hashesPorts)
        let mlx5 = try EthtoolSource.files(Fixture.files(Fixture.mlx5)).flowHash(interface: "enp59s0f0np0", flow: .udp6)
        #expect(mlx5.bits == 0xF0)
        #expect(mlx5.letters == "sdfn")
        #expect(mlx5.hashesPorts)
        let none = try EthtoolSource.files(Fixture.files(Fixture.vm)).flowHash(interface: "eth0", flow: .udp4)
        #expect(none.bits == 0)
        #expect(none.fieldNames == [])
        #expect(FlowHash.parse("UDP over IPV6 flows use these fields for computing Hash flow key:\nIP SA\n", flow: .udp4) == nil)
        #expect(FlowHash.parse("UDP over IPV4 flows use these fields for computing Hash flow key:\nIP XX\n", flow: .udp4) == nil)
        #expect(FlowHash.parse("UDP over IPV4 flows - All matching flows discarded on RX\n", flow: .udp4)?.discards == true)
    }

    @Test func channelsFromEthtoolText() throws {
        let mlx5 = try EthtoolSource.files(Fixture.files(Fixture.mlx5)).channels(interface: "enp59s0f0np0")
        #expect(mlx5 == Channels(maxCombined: 15, combined: 8))
        #expect(mlx5.receiving == 8)
        #expect(mlx5.maxReceiving == 15)
        let older = Channels.parse("Channel parameters for eth1:\nPre-set maximums:\nRX:\t\t4\nTX:\t\t4\nOther:\t\t1\nCombined:\t0\nCurrent hardware settings:\nRX:\t\t2\nTX:\t\t4\nOther:\t\t1\nCombined:\t0\n")
        #expect(older == Channels(maxReceive: 4, maxTransmit: 4, maxOther: 1, maxCombined: 0, receive: 2, transmit: 4, other: 1, combined: 0))
        #expect(Channels.parse("Channel parameters for eth1:\nPre-set maximums:\nRX:\t\t4\n") == nil)
    }

    @Test func ethtoolErrorsInFixturesReadAsTheIoctlsWould() {
        let source = EthtoolSource.files(Fixture.files(Fixture.article))
        #expect(throws: HostReadError(subject: "ethtool -l eth2", kind: .unsupported, code: EOPNOTSUPP,
                                      reason: "the driver of eth2 does not support ETHTOOL_GCHANNELS (operation not supported)")) {
            try source.channels(interface: "eth2")
        }
        #expect(throws: HostReadError(subject: "ethtool -S lo", kind: .unsupported, code: EOPNOTSUPP,
                                      reason: "the driver of lo does not support ETHTOOL_GSSET_INFO (operation not supported)")) {
            try source.statistics(interface: "lo")
        }
        #expect(throws: HostReadError(subject: "ethtool -S eth9", kind: .missing, code: ENOENT, reason: "the fixture has no ethtool-S-eth9.txt")) {
            try source.statistics(interface: "eth9")
        }
    }

    @Test func errorReasons() {
        let denied = Ethtool.error(subject: "ethtool -n eth2 rx-flow-hash udp4", operation: "ETHTOOL_GRXFH", errno: EPERM, interface: "eth2")
        #expect(denied.kind == .permissionDenied)
        #expect(denied.description == "could not read ethtool -n eth2 rx-flow-hash udp4: ETHTOOL_GRXFH needs CAP_NET_ADMIN (operation not permitted): run as root")
        let gone = Ethtool.error(subject: "ethtool -S eth9", operation: "ETHTOOL_GSSET_INFO", errno: ENODEV, interface: "eth9")
        #expect(gone.kind == .noSuchInterface)
        #expect(gone.reason == "no interface named eth9 (no such device)")
        let other = Ethtool.error(subject: "ethtool -S eth2", operation: "ETHTOOL_GSTATS", errno: EIO, interface: "eth2")
        #expect(other.kind == .system)
        #expect(other.reason == "ETHTOOL_GSTATS failed (input/output error)")
    }

    @Test func loopbackHasNoStatisticsLive() {
        #expect(throws: HostReadError(subject: "ethtool -S lo", kind: .unsupported, code: EOPNOTSUPP,
                                      reason: "the driver of lo does not support ETHTOOL_GSSET_INFO (operation not supported)")) {
            try Ethtool.statistics(interface: "lo")
        }
        #expect(throws: HostReadError.self) { try Ethtool.flowHash(interface: "lo", flow: .udp4) }
    }

    @Test func unknownOrInvalidInterfaceLive() {
        #expect(throws: HostReadError(subject: "ethtool -S mppsnosuch0", kind: .noSuchInterface, code: ENODEV,
                                      reason: "no interface named mppsnosuch0 (no such device)")) {
            try Ethtool.statistics(interface: "mppsnosuch0")
        }
        #expect(throws: HostReadError(subject: "ethtool -l averyveryverylongname", kind: .noSuchInterface, code: ENODEV,
                                      reason: "'averyveryverylongname' is not an interface name (1 to 15 bytes, no '/')")) {
            try Ethtool.channels(interface: "averyveryverylongname")
        }
    }

    /// The first interface with a device behind it (eth0, virtio_net, on the VM this was written on).
    static let firstDevice: String? = {
        let files = HostFiles()
        var failures: [HostReadError] = []
        let names = (try? NetworkInterface.names(files)) ?? []
        return names.first { NetworkInterface.read($0, files, failures: &failures).device != nil }
    }()

    @Test(.enabled(if: Self.firstDevice != nil, "needs a network interface with a device (loopback and veth have none)"))
    func readsThisHostsFirstDevice() throws {
        let name = try #require(Self.firstDevice)
        let statistics = try Ethtool.statistics(interface: name)
        #expect(!statistics.names.isEmpty)
        #expect(statistics.names.count == statistics.values.count)
        let again = try Ethtool.statisticValues(interface: name, expectedCount: statistics.names.count)
        #expect(again.count == statistics.names.count)
        let channels = try Ethtool.channels(interface: name)
        #expect(channels.receiving >= 1)
    }
}
