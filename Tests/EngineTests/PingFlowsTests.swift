import Testing
import PacketIO
@testable import Engine
@testable import Reporting

/// `--flows`: which thread owns which flow, each flow's share of the count, and the refusals.
@Suite struct PingFlowsTests {
    @Test func flowsGoRoundRobinAndShareTheCount() {
        var options = PingOptions()
        options.threads = 2
        options.flows = 5
        options.count = 13
        #expect(options.flowCount == 5)
        #expect(options.flows(ofThread: 0) == [0, 2, 4])
        #expect(options.flows(ofThread: 1) == [1, 3])
        #expect((0..<5).map { options.quota(of: $0) } == [3, 3, 3, 2, 2])
        #expect(options.flowProblem == nil)
        options.flows = nil
        #expect(options.flowCount == 2)
        #expect(options.flows(ofThread: 1) == [1])
        #expect((0..<2).map { options.quota(of: $0) } == [7, 6])
    }

    @Test func fewerFlowsThanThreadsOrTooManyAreRefused() {
        var options = PingOptions()
        options.threads = 4
        options.flows = 3
        #expect(options.flowProblem == "--flows 3 is fewer than --threads 4: every pinging thread needs a flow of its own")
        #expect(throws: RunError.self) { try PingRun(options) }
        options.flows = 4097
        #expect(options.flowProblem == "--flows 4097 is too many: use at most 4096")
    }

    /// Flows keep their counts, threads their RTTs: the totals add the flows' counts and the threads' histograms.
    @Test func flowCountsAndThreadHistogramsMakeTheTotals() {
        var flowWords = [UInt64](repeating: 0, count: PingCount.allCases.count)
        flowWords[PingCount.sent.rawValue] = 5
        flowWords[PingCount.replies.rawValue] = 4
        var threadWords = [UInt64](repeating: 0, count: PingCount.words)
        threadWords[PingCount.intendedBuckets + LatencyHistogram.bucket(of: 20_000, bits: PingCount.histogramBits)] = 8
        threadWords[PingCount.intendedMax.rawValue] = 20_000
        let totals = PingTotals(flows: [flowWords, flowWords], latencies: [threadWords])
        #expect((totals[.sent], totals[.replies], totals[.intendedMax]) == (10, 8, 20_000))
        #expect(totals.intended.total == 8)
        #expect(totals.lost.neverAnswered == 2)
    }

    /// Each flow's account closes on its own; the spread names the fewest and most replies and the most lost.
    @Test func theSpreadOfTheFlows() {
        func flow(sent: UInt64, replies: UInt64, late: UInt64) -> [UInt64] {
            var words = [UInt64](repeating: 0, count: PingCount.allCases.count)
            words[PingCount.sent.rawValue] = sent
            words[PingCount.replies.rawValue] = replies
            words[PingCount.late.rawValue] = late
            return words
        }
        let flows = [flow(sent: 10, replies: 10, late: 0), flow(sent: 10, replies: 7, late: 1), flow(sent: 9, replies: 9, late: 0)]
        for words in flows {
            let totals = PingTotals(flows: [words], latencies: [])
            let lost = totals.lost
            #expect(totals[.replies] + lost.sendErrors + lost.late + lost.neverAnswered == totals[.sent])
        }
        let spread = PingFlowSpread(flows: flows)
        #expect(spread.json.rendered == #"{"count":3,"replies_min":7,"replies_max":10,"lost_max":3}"#)
        #expect(spread.text == "3 flows (replies 7 to 10 per flow, at most 3 lost)")
    }
}
