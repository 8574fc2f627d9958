import PacketIO
import Testing
@testable import Engine
@testable import Reporting

/// Headers come from the network: whatever they claim, counting never traps,
/// and a header that claims the impossible is counted as implausible and
/// changes no flow's account.
@Suite struct HostileHeaderTests {
    /// A flow that sent 0..<100 and ended with 100: what every case disturbs.
    func healthyTable() -> FlowTable {
        var table = FlowTable()
        for sequence in 0..<100 { table.record(flow: 7, sequence: UInt64(sequence)) }
        table.recordEnd(flow: 7, count: 100)
        return table
    }

    let healthy = FlowSummary(flow: 7, unique: 100, duplicates: 0, reordered: 0, highest: 99, sent: 100)

    @Test func theLargestSequenceNumberIsImplausibleNotATrap() {
        var table = FlowTable()
        let answer1 = table.record(flow: 1, sequence: .max)
        #expect(answer1 == false)
        let answer2 = table.record(flow: 1, sequence: FlowTable.sequenceLimit)
        #expect(answer2 == false)
        let answer3 = table.recordEnd(flow: 1, count: .max)
        #expect(answer3 == false)
        #expect(table.implausible == 3)
        #expect(table.summaries() == [])
        let report = SequenceReport([ReceiveResult(flows: table.summaries(), implausible: table.implausible)])
        #expect(report.lost == 0)
        #expect(report.implausible == 3)
    }

    @Test func aSequenceFarFromItsFlowChangesNothing() {
        var table = healthyTable()
        let answer4 = table.record(flow: 7, sequence: 99 + FlowTable.plausibleJump + 1)
        #expect(answer4 == false)
        #expect(table.implausible == 1)
        #expect(table.summaries() == [healthy])
    }

    @Test func anEndForAFlowThatSentNothingIsImplausible() {
        var table = healthyTable()
        let answer5 = table.recordEnd(flow: 8, count: 1_000_000)
        #expect(answer5 == false)
        #expect(table.implausible == 1)
        #expect(table.summaries() == [healthy])
    }

    @Test func anEndBelowWhatArrivedOrFarPastItIsImplausible() {
        var table = FlowTable()
        for sequence in 0..<100 { table.record(flow: 7, sequence: UInt64(sequence)) }
        let answer6 = table.recordEnd(flow: 7, count: 50)
        #expect(answer6 == false)
        let answer7 = table.recordEnd(flow: 7, count: 99)
        #expect(answer7 == false)
        let answer8 = table.recordEnd(flow: 7, count: 100 + FlowTable.plausibleJump)
        #expect(answer8 == false)
        #expect(table.implausible == 3)
        #expect(table.summaries() == [FlowSummary(flow: 7, unique: 100, duplicates: 0, reordered: 0, highest: 99, sent: nil)])
        // The sender's own end still counts, and repeats of it are no news.
        let answer9 = table.recordEnd(flow: 7, count: 100)
        #expect(answer9)
        let answer10 = table.recordEnd(flow: 7, count: 100)
        #expect(answer10)
        #expect(table.summaries() == [healthy])
        #expect(table.implausible == 3)
    }

    @Test func aForgedLargerEndLosesToTheSendersEnd() {
        // Before the sender's end: the forged one stands only until the real one comes.
        var early = FlowTable()
        for sequence in 0..<100 { early.record(flow: 7, sequence: UInt64(sequence)) }
        let answer11 = early.recordEnd(flow: 7, count: 1_000_000)
        #expect(answer11)
        let answer12 = early.recordEnd(flow: 7, count: 100)
        #expect(answer12 == false)
        #expect(early.summaries() == [healthy])
        #expect(early.summaries()[0].lost == 0)
        // After it: refused at once.
        var late = healthyTable()
        let answer13 = late.recordEnd(flow: 7, count: 1_000_000)
        #expect(answer13 == false)
        #expect(late.summaries() == [healthy])
        #expect(late.implausible == 1)
    }

    @Test func dataPastAnEndDiscardsTheEnd() {
        var table = FlowTable()
        for sequence in 0..<50 { table.record(flow: 7, sequence: UInt64(sequence)) }
        let answer14 = table.recordEnd(flow: 7, count: 60)  // forged: the sender is not done
        #expect(answer14)
        for sequence in 50..<100 { table.record(flow: 7, sequence: UInt64(sequence)) }
        #expect(table.implausible == 1)
        let answer15 = table.recordEnd(flow: 7, count: 100)
        #expect(answer15)
        #expect(table.summaries() == [healthy])
    }

    @Test func flowIdsNoKeyMadeAreImplausibleAndTouchNoFlow() {
        let key = FlowKey(0xfeed_f00d_dead_beef)
        let real = key.flowID(index: 0)
        var tally = Tally(hostTag: 1, flowKeys: [key])
        func datagram(_ header: SequenceHeader) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: 24)
            bytes.withUnsafeMutableBytes { _ = header.write(to: $0) }
            return bytes
        }
        for sequence in 0..<10 {
            let bytes = datagram(SequenceHeader(kind: .data, hostTag: 2, flow: real, sequence: UInt64(sequence), sendTime: 0))
            let answer16 = bytes.withUnsafeBytes { tally.countHeader($0) }
            #expect(answer16)
        }
        // A stranger's data and end under a made-up id (one the key did not make).
        var forged = real &+ 1
        while key.made(forged) { forged &+= 1 }
        let data = datagram(SequenceHeader(kind: .data, hostTag: 2, flow: forged, sequence: 5_000_000, sendTime: 0))
        let end = datagram(SequenceHeader(kind: .endOfFlow, hostTag: 2, flow: forged, sequence: 9_000_000, sendTime: 0))
        let answer17 = data.withUnsafeBytes { tally.countHeader($0) }  // a datagram, counted as one
        #expect(answer17)
        let answer18 = end.withUnsafeBytes { tally.countHeader($0) }  // an end marker, not data
        #expect(answer18 == false)
        let result = tally.result()
        #expect(result.flows == [FlowSummary(flow: real, unique: 10, duplicates: 0, reordered: 0, highest: 9, sent: nil)])
        #expect(result.implausible == 2)
        #expect(SequenceReport([result]).lost == 0)
    }

    @Test func aKeyMakesAndRecognizesItsOwnIds() {
        let key = FlowKey(42)
        let ids = (0..<4096).map { key.flowID(index: UInt16($0)) }
        #expect(Set(ids).count == 4096)
        #expect(ids.allSatisfy(key.made))
        // Each index has one check: every other check on the same index fails.
        let passing = (1..<65536).filter { key.made(ids[0] ^ UInt32($0) << 16) }.count
        #expect(passing == 0, "ids differing only in the check must fail: \(passing)")
        #expect(FlowKey(parsing: key.description) == key)
        #expect(key.description == "000000000000002a")
        #expect(FlowKey(parsing: "2a") == nil)
        #expect(FlowKey(parsing: "000000000000002g") == nil)
    }

    @Test func reportsOfExtremeFlowsSaturateInsteadOfTrapping() {
        let huge = FlowSummary(flow: 1, unique: .max, duplicates: .max, reordered: .max, highest: .max, sent: nil)
        #expect(huge.expected == .max)
        let merged = FlowSummary.merged([huge, huge])
        #expect(merged.unique == .max)
        let many = (0..<3).map { FlowSummary(flow: UInt32($0), unique: 0, duplicates: 0, reordered: 0, highest: .max - 1, sent: .max) }
        let report = SequenceReport(flows: many, latency: LatencyHistogram(), untracked: 0, endMarkers: 0, trackedFlowsPerThread: 1)
        #expect(report.lost == .max)
        var summary = RunSummary(total: CounterSnapshot(packets: 3), seconds: 1, meanPacketsPerSecond: 3, minPacketsPerSecond: 3,
                                 maxPacketsPerSecond: 3, threads: [CounterSnapshot(packets: 3)], reason: .signal)
        summary.sequences = report
        let text = HumanSink.summaryText(summary, verb: "received")
        #expect(text.contains("         sequence: 0 of 18446744073709551615 received in 3 flows: 18446744073709551615 lost"), "\(text)")
    }
}
