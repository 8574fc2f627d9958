import Testing
import HostStats

@Suite struct UDPStatisticsTests {
    // Captured from a Linux 6.x host (the Udp rows of /proc/net/snmp).
    static let snmp = """
    Ip: Forwarding DefaultTTL InReceives InHdrErrors
    Ip: 1 64 1234 0
    Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
    Udp: 9018262 17 386900 9018300 123800 0 0 0 5
    UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
    UdpLite: 0 0 0 0 0 0 0 0 0

    """

    static let snmp6 = """
    Ip6InReceives                   	100
    Udp6InDatagrams                 	40
    Udp6NoPorts                     	1
    Udp6RcvbufErrors                	7
    UdpLite6InDatagrams             	99

    """

    @Test func parsesTheUdpRows() throws {
        let stats = try #require(UDPStatistics.parseSNMP(Self.snmp))
        #expect(stats["InDatagrams"] == 9_018_262)
        #expect(stats["InErrors"] == 386_900)
        #expect(stats["RcvbufErrors"] == 123_800)
        #expect(stats["MemErrors"] == 5)
        #expect(stats["NoSuchCounter"] == 0)
        #expect(stats.counters.count == 9)
    }

    @Test func parsesSnmp6AndIgnoresUdpLite() throws {
        let stats = try #require(UDPStatistics.parseSNMP6(Self.snmp6))
        #expect(stats.counters == ["InDatagrams": 40, "NoPorts": 1, "RcvbufErrors": 7])
    }

    @Test func rejectsTextWithoutUdpRows() {
        #expect(UDPStatistics.parseSNMP("Ip: a b\nIp: 1 2\n") == nil)
        #expect(UDPStatistics.parseSNMP("Udp: A B\nUdp: 1\n") == nil)
    }

    @Test func deltas() {
        let before = UDPStatistics(counters: ["InDatagrams": 10, "RcvbufErrors": 5])
        let after = UDPStatistics(counters: ["InDatagrams": 25, "RcvbufErrors": 4, "NoPorts": 2])
        #expect(after.since(before).counters == ["InDatagrams": 15, "RcvbufErrors": 0, "NoPorts": 2])
    }

    @Test func readsThisHost() throws {
        let stats = try #require(UDPStatistics.current())
        #expect(stats.counters["InDatagrams"] != nil)
        #expect(stats.counters["RcvbufErrors"] != nil)
    }
}
