import Testing
@testable import Engine
@testable import Reporting
import PacketIO
import SeededRandom

/// The flow table's running totals (what /metrics publishes while a run goes
/// on) always equal the sums over its flows (what the summary reports at the end).
@Suite struct LiveSequenceTotalsTests {
    static func check(_ table: borrowing FlowTable, after step: Int) {
        let flows = table.summaries()
        #expect(table.expectedTotal == flows.reduce(0) { $0 + $1.expected }, "expected, step \(step)")
        #expect(table.uniqueTotal == flows.reduce(0) { $0 + $1.unique }, "unique, step \(step)")
        #expect(table.reorderedTotal == flows.reduce(0) { $0 + $1.reordered }, "reordered, step \(step)")
        #expect(table.duplicatesTotal == flows.reduce(0) { $0 + $1.duplicates }, "duplicates, step \(step)")
    }

    @Test(arguments: [1, 2, 3, 4])
    func runningTotalsMatchTheFlows(seed: UInt64) {
        var random = SplitMix(state: seed)
        var table = FlowTable()
        for step in 0..<20_000 {
            let flow = UInt32(random.next() % 6)
            let choice = random.next() % 100
            if choice < 3 {
                // Ends: the sender's, a forged larger or smaller one, or one below what arrived.
                table.recordEnd(flow: flow, count: random.next() % 3000)
            } else if choice < 5 {
                // Far away or beyond the limit: implausible, nothing moves.
                table.record(flow: flow, sequence: random.next())
            } else {
                // Mostly forward, with gaps, repeats, late arrivals and stragglers past the window.
                table.record(flow: flow, sequence: UInt64(step) / 3 + random.next() % 40 - min(UInt64(step) / 3, random.next() % 1500))
            }
            if step % 97 == 0 { Self.check(table, after: step) }
        }
        Self.check(table, after: 20_000)
        #expect(table.implausible > 0 && table.duplicatesTotal > 0 && table.reorderedTotal > 0)
    }

    @Test func aTallyPublishesItsTotalsToItsSlot() {
        let counters = SequenceCounters(count: 2)
        var tally = Tally(hostTag: 1, live: counters.slot(1))
        var datagram = [UInt8](repeating: 0, count: 32)
        for sequence: UInt64 in [0, 1, 3, 2, 2] {
            _ = datagram.withUnsafeMutableBytes { SequenceHeader(kind: .data, hostTag: 1, flow: 9, sequence: sequence, sendTime: nil).write(to: $0) }
            _ = datagram.withUnsafeBytes { tally.countHeader($0) }
        }
        #expect(counters.read(1).totals == SequenceTotals())   // nothing visible before the batch is published
        tally.publish()
        var expected = SequenceTotals()
        expected.expected = 4
        expected.unique = 4
        expected.reordered = 1
        expected.duplicates = 1
        #expect(counters.read(1).totals == expected)
        #expect(counters.read(0).totals == SequenceTotals())
    }
}
