import Testing
import PacketIO
@testable import Engine
@testable import Reporting

/// The echo's table of ping flows: gaps, repeats and late requests per flow, flows named by
/// source, token and flow number, fixed room with quiet flows retired and the rest untracked.
@Suite struct EchoFlowTableTests {
    static let source = SocketAddress(ipv4: 127, 0, 0, 1, port: 40000)

    /// Feeds requests with ping's header (token, flow, sequence) from `source` at `now` nanoseconds.
    static func feed(_ table: inout EchoFlowTable, _ requests: [(UInt32, UInt16, UInt64)], source: SocketAddress = source,
                     now: UInt64 = 1) {
        for (token, flow, sequence) in requests {
            var bytes = [UInt8](repeating: 0, count: 32)
            let header = PingHeader(flow: flow, token: token, sequence: sequence, intended: 0, actual: 0)
            bytes.withUnsafeMutableBytes { _ = header.write(to: $0) }
            var clock = now
            bytes.withUnsafeBytes { table.count($0, source: source, now: &clock) }
        }
    }

    @Test func gapsRepeatsAndLateRequests() {
        var table = EchoFlowTable(seed: 1)
        // 0 1 2 4 3 5 5 6 8 9: 7 lost on the way in, 3 late, 5 twice.
        Self.feed(&table, [0, 1, 2, 4, 3, 5, 5, 6, 8, 9].map { (7, 1, $0) })
        let result = table.result()
        #expect(result.accounts == [EchoFlowAccount(source: Self.source, token: 7, flow: 1, distinct: 9, duplicates: 1,
                                                    reordered: 1, lowest: 0, highest: 9)])
        #expect(result.accounts[0].lostIn == 1)
        #expect(result.accounts[0].requests == 10)
        #expect((result.flows, result.requests, result.lostIn, result.reordered, result.duplicates) == (1, 10, 1, 1, 1))
    }

    /// A flow first seen past 0 (its start lost, or sent elsewhere) claims nothing below what it
    /// showed; a late request below fills in and lowers the start.
    @Test func theAccountStartsAtTheLowestSeen() {
        var table = EchoFlowTable(seed: 2)
        Self.feed(&table, [100, 101, 103].map { (7, 0, $0) })
        #expect(table.result().lostIn == 1)
        Self.feed(&table, [(7, 0, 98)])
        let account = table.result().accounts[0]
        #expect((account.lowest, account.highest, account.lostIn, account.reordered) == (98, 103, 2, 1))
    }

    /// A jump past the window forgets it; a request far behind the highest cannot be told from a
    /// repeat, and is counted late; one 2^32 away, or at 2^48, is implausible and changes nothing.
    @Test func jumpsAndImplausibleSequences() {
        var table = EchoFlowTable(seed: 3)
        Self.feed(&table, [0, 1, 2000, 2001, 1500].map { (7, 0, $0) })
        Self.feed(&table, [(7, 0, 2001 + (1 << 32) + 1), (7, 0, 1 << 48), (8, 0, 1 << 48)])
        let result = table.result()
        #expect(result.implausible == 3)
        #expect(result.accounts.count == 1)
        let account = result.accounts[0]
        #expect((account.distinct, account.duplicates, account.reordered, account.highest) == (5, 0, 1, 2001))
        #expect(account.lostIn == 2002 - 5)
        #expect(result.lostIn == account.lostIn)
    }

    /// The same token and flow from another port, or another token from the same port, is another flow:
    /// a stranger's requests change no account but its own.
    @Test func aFlowIsItsSourceTokenAndNumber() throws {
        var table = EchoFlowTable(seed: 4)
        Self.feed(&table, (0..<10).map { (7, 0, $0) })
        Self.feed(&table, [(7, 0, 1_000_000), (7, 0, 3)], source: SocketAddress(ipv4: 127, 0, 0, 1, port: 40001))
        Self.feed(&table, [(8, 0, 1_000_000), (7, 1, 5)])
        Self.feed(&table, [(7, 0, 4)], source: SocketAddress(ipv4: 127, 0, 0, 2, port: 40000))
        let result = table.result()
        #expect(result.flows == 5)
        let real = try #require(result.accounts.first { $0.source == Self.source && $0.token == 7 && $0.flow == 0 })
        #expect(real == EchoFlowAccount(source: Self.source, token: 7, flow: 0, distinct: 10, duplicates: 0, reordered: 0,
                                        lowest: 0, highest: 9))
    }

    /// Datagrams without the header (too short, another magic) are not counted at all.
    @Test func othersAreNotPingRequests() {
        var table = EchoFlowTable(seed: 5)
        var now: UInt64 = 0
        [UInt8](repeating: 0x47, count: 40).withUnsafeBytes { table.count($0, source: Self.source, now: &now) }
        [UInt8]([0x47, 0x50, 0, 0]).withUnsafeBytes { table.count($0, source: Self.source, now: &now) }
        #expect(table.result() == EchoFlows())
        #expect(now == 0, "the clock is read only for a request with the header")
    }

    /// More flows than places: each flow past the room is untracked, every request counted once;
    /// an active flow keeps its place, and a flow quiet for 10 s gives its place to a newcomer.
    @Test func fullBucketsUntrackQuietFlowsRetire() {
        var table = EchoFlowTable(seed: 6)
        let flows = EchoFlowTable.capacity * 2
        Self.feed(&table, (0..<flows).map { (UInt32($0), 0, 0) }, now: 1)
        var result = table.result()
        #expect(result.flows + result.untracked == UInt64(flows))
        #expect(result.flows <= UInt64(EchoFlowTable.capacity))
        #expect(result.untracked >= UInt64(EchoFlowTable.capacity))
        #expect(result.retiredFlows == 0)
        #expect(result.requests == result.flows)
        // 10 s later every earlier flow is quiet: the next ones take their places.
        let later = 1 + EchoFlowTable.quietNanoseconds
        Self.feed(&table, (flows..<(flows + 100)).map { (UInt32($0), 0, 0) }, now: later)
        result = table.result()
        #expect(result.untracked + result.flows == UInt64(flows + 100))
        #expect(result.retiredFlows > 0)
        #expect(result.requests == result.flows)
        #expect(result.accounts.count <= EchoFlowTable.capacity)
    }

    /// Tables of several threads add up; the accounts listed are at most 64, the busiest first.
    @Test func threadsAddUp() {
        var one = EchoFlowTable(seed: 7)
        var two = EchoFlowTable(seed: 8)
        Self.feed(&one, (0..<5).map { (1, 0, $0) })
        Self.feed(&two, [0, 2].map { (1, 1, $0) })
        let sum = one.result().adding(two.result())
        #expect((sum.flows, sum.requests, sum.lostIn) == (2, 7, 1))
        #expect(sum.accounts.map(\.flow) == [0, 1])
        #expect(sum.json.rendered.hasPrefix(#"{"flows":2,"requests":7,"lost_in":1,"reordered":0,"duplicates":0,"untracked":0,"implausible":0,"retired_flows":0,"accounts":[{"source":"127.0.0.1:40000","token":1,"flow":0,"requests":5,"lost_in":0,"#))
    }
}
