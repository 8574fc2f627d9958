import Foundation
import Testing
@testable import HostStats

/// Inputs on which a fuzz target (Fuzz/Targets) crashed, kept as tests once fixed:
/// sums and products of untrusted counters trapped on overflow. Fuzz/README.md says
/// how a crash becomes one of these.
@Suite struct FuzzRegressionTests {
    /// Fuzz/Targets/InterruptTable.swift: two counts of one row summed past UInt64.max
    /// (InterruptRow.total, and QueueInterrupt.total, which the doctor prints).
    @Test func interruptTotalsSaturate() throws {
        let text = """
                       CPU0       CPU1
              8:          1 18446744073709551615   IO-APIC   8-edge      rtc0
             97: 18446744073709551615          5   IR-PCI-MSI-edge      eth2-0

            """
        let table = try #require(InterruptTable.parse(text))
        #expect(table.rows.map(\.total) == [.max, .max])
        let queues = table.queueInterrupts(interface: "eth2", device: nil)
        #expect(queues.map(\.total) == [.max])
    }

    /// Fuzz/Targets/EthtoolBuffers.swift: per-queue packets summed past UInt64.max, across
    /// queues (RxQueuePackets.total, which the doctor compares) and within one queue whose
    /// counters add up (RxQueueNaming, bnxt's unicast + multicast + broadcast).
    @Test func perQueuePacketSumsSaturate() throws {
        let veth = EthtoolStatistics(interface: "veth0", names: ["rx_queue_0_xdp_packets", "rx_queue_1_xdp_packets"],
                                     values: [1000, .max])
        #expect(try #require(veth.rxQueuePackets).total == .max)
        let bnxt = EthtoolStatistics(interface: "eth0", names: ["[0]: rx_ucast_packets", "[0]: rx_mcast_packets", "[1]: rx_ucast_packets"],
                                     values: [.max, 2, 7])
        let queues = try #require(bnxt.rxQueuePackets)
        #expect(queues[queue: 0] == .max)
        #expect(queues[queue: 1] == 7)
        #expect(queues.total == .max)
    }

    /// Fuzz/Targets/EthtoolText.swift: `ethtool -l` counts of any size made
    /// Channels.maxReceiving overflow. Counts are the kernel's u32: others are malformed.
    @Test func channelCountsAreThirtyTwoBit() {
        func channels(_ rx: String) -> Channels? {
            Channels.parse("Pre-set maximums:\nRX: \(rx)\nCombined: 1\nCurrent hardware settings:\nRX: 1\nCombined: n/a\n")
        }
        #expect(channels("4294967295")?.maxReceiving == 4_294_967_296)
        #expect(channels("9223372036854775807") == nil)
        #expect(channels("-1") == nil)
    }

    /// Fuzz/Targets/HostSnapshot.swift: a negative net.core.rmem_max made the doctor's
    /// size formatting (Doctor.kibibytes) overflow; the value is shown as it is.
    @Test func oddReceiveBufferSizesAreShownAsTheyAre() {
        #expect(Doctor.kibibytes(212_992) == "208 KiB")
        #expect(Doctor.kibibytes(1_000) == "1.0 KiB")
        #expect(Doctor.kibibytes(-9_223_372_036_854_775_807) == "-9223372036854775807 bytes")
        #expect(Doctor.kibibytes(-1_000) == "-1000 bytes")
        #expect(Doctor.kibibytes(Int.max) == "\(Int.max) bytes")
    }

    /// Fuzz/Targets/HostSnapshot.swift: IPv4 and IPv6 counters near 2⁶⁴ added up past
    /// UInt64.max in UDPStatistics.current.
    @Test func udpCountersOfBothFamiliesSaturate() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mpps-fuzz-regression-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        let net = root.appendingPathComponent("proc/net")
        try FileManager.default.createDirectory(at: net, withIntermediateDirectories: true)
        try "Udp: InDatagrams NoPorts\nUdp: 18446744073709551615 3\n".write(to: net.appendingPathComponent("snmp"), atomically: true, encoding: .utf8)
        try "Udp6InDatagrams 1\nUdp6NoPorts 4\n".write(to: net.appendingPathComponent("snmp6"), atomically: true, encoding: .utf8)
        let statistics = try #require(UDPStatistics.current(HostFiles(root: root.path)))
        #expect(statistics["InDatagrams"] == .max)
        #expect(statistics["NoPorts"] == 7)
    }

    /// The reply decoders the EthtoolBuffers target feeds: a count the table cannot hold
    /// is refused, and a name that fills its 32 bytes has no NUL.
    @Test func ethtoolRepliesAreReadWithinTheirBytes() throws {
        func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
        let full = [UInt8](repeating: UInt8(ascii: "a"), count: 32)
        let short = Array("rx_packets".utf8) + [UInt8](repeating: 0, count: 22)
        let names = le32(0x1b) + le32(1) + le32(2) + full + short
        #expect(names.withUnsafeBytes { Ethtool.statisticNames(reply: $0) } == [String(repeating: "a", count: 32), "rx_packets"])
        let overclaimed = le32(0x1b) + le32(1) + le32(3) + full + short
        #expect(overclaimed.withUnsafeBytes { Ethtool.statisticNames(reply: $0) } == nil)
        let huge = le32(0x1b) + le32(1) + le32(.max)
        #expect(huge.withUnsafeBytes { Ethtool.statisticNames(reply: $0) } == nil)
        #expect([UInt8](repeating: 0, count: 11).withUnsafeBytes { Ethtool.statisticNames(reply: $0) } == nil)
        let values = le32(0x1d) + le32(2) + withUnsafeBytes(of: UInt64(5).littleEndian, Array.init)
            + withUnsafeBytes(of: UInt64.max.littleEndian, Array.init)
        #expect(values.withUnsafeBytes { Ethtool.statisticValues(reply: $0) } == [5, .max])
        #expect(Array(values.dropLast()).withUnsafeBytes { Ethtool.statisticValues(reply: $0) } == nil)
    }
}
