import Testing
@testable import Engine
@testable import Reporting

@Suite struct FlowTableTests {
    func summary(_ events: [(UInt32, UInt64)], ends: [(UInt32, UInt64)] = []) -> [FlowSummary] {
        var table = FlowTable()
        for (flow, sequence) in events { table.record(flow: flow, sequence: sequence) }
        for (flow, count) in ends { table.recordEnd(flow: flow, count: count) }
        return table.summaries().sorted { $0.flow < $1.flow }
    }

    @Test func inOrderIsClean() {
        let flows = summary((0..<1000).map { (7, UInt64($0)) }, ends: [(7, 1000)])
        #expect(flows == [FlowSummary(flow: 7, unique: 1000, duplicates: 0, reordered: 0, highest: 999, sent: 1000)])
        #expect(flows[0].lost == 0)
    }

    @Test func gapsReorderingAndDuplicates() {
        // 0 1 2 4 3 5 5 6 8, then the sender says it sent 10: 7 and 9 are lost.
        let flows = summary([0, 1, 2, 4, 3, 5, 5, 6, 8].map { (1, UInt64($0)) }, ends: [(1, 10)])
        #expect(flows == [FlowSummary(flow: 1, unique: 8, duplicates: 1, reordered: 1, highest: 8, sent: 10)])
        #expect(flows[0].lost == 2)
        #expect(flows[0].expected == 10)
    }

    @Test func withoutAnEndTheTailIsUnknown() {
        let flows = summary([(2, 0), (2, 1), (2, 3)])
        #expect(flows[0].sent == nil)
        #expect(flows[0].expected == 4)
        #expect(flows[0].lost == 1)
    }

    @Test func aStartNeverSeenIsReportedApartNotLost() {
        // Issue 21: a flow first seen at 5 is no evidence that 0-4 were sent here.
        let flows = summary([(3, 5), (3, 6)], ends: [(3, 7)])
        #expect(flows[0].lost == 0)
        #expect(flows[0].unseenStart == 5)
        #expect(flows[0].reordered == 0)
        // A late datagram below the first seen moves the start down: the gap between is lost.
        let late = summary([(3, 5), (3, 6), (3, 2)], ends: [(3, 7)])
        #expect(late[0].lost == 2)
        #expect(late[0].unseenStart == 2)
        #expect(late[0].reordered == 1)
    }

    @Test func theWindowForgetsPositionsItMovesPast() {
        // 0, then 1024 (window wraps onto 0's bit: it must be cleared), then 0 again
        // is too late to tell apart and counts as a straggler, not a duplicate.
        let wrapped = summary([(4, 0), (4, 1024), (4, 0)])
        #expect(wrapped[0].duplicates == 0)
        #expect(wrapped[0].reordered == 1)
        // A straggler inside the window after a big jump is seen as new, not a duplicate.
        let jump = summary([(5, 0), (5, 2000), (5, 1990), (5, 1990)])
        #expect(jump[0].reordered == 1)
        #expect(jump[0].duplicates == 1)
        #expect(jump[0].unique == 3)
    }

    @Test func manyFlowsAndTheTableLimit() {
        var table = FlowTable()
        let limit = FlowTable.capacity / 4 * 3
        for flow in 0..<UInt32(limit + 10) { table.record(flow: flow &* 2_654_435_761, sequence: 0) }
        #expect(table.flowCount == limit)
        #expect(table.untracked == 10)
        #expect(table.summaries().count == limit)
    }

    @Test func flowsSplitAcrossThreadsMerge() {
        let a = FlowSummary(flow: 1, unique: 60, duplicates: 1, reordered: 2, highest: 99, sent: nil)
        let b = FlowSummary(flow: 1, unique: 39, duplicates: 0, reordered: 3, highest: 98, sent: 100)
        let merged = FlowSummary.merged([a, b])
        #expect(merged == FlowSummary(flow: 1, unique: 99, duplicates: 1, reordered: 5, highest: 99, sent: 100))
        #expect(merged.lost == 1)
        let report = SequenceReport([ReceiveResult(flows: [a], untracked: 2, latency: LatencyHistogram(), endMarkers: 0),
                                     ReceiveResult(flows: [b], untracked: 0, latency: LatencyHistogram(), endMarkers: 3)])
        #expect(report.flows == [merged])
        #expect(report.lost == 1)
        #expect(report.reordered == 5)
        #expect(report.duplicates == 1)
        #expect(report.untracked == 2)
        #expect(report.endMarkers == 3)
        #expect(report.flowsWithoutEnd == 0)
    }
}

@Suite struct LatencyHistogramTests {
    @Test func bucketsAreWithinAnEighth() {
        for value: UInt64 in [0, 1, 7, 8, 9, 15, 16, 17, 100, 1000, 12_345, 1_000_000, 987_654_321, UInt64.max / 3] {
            let bucket = LatencyHistogram.bucket(of: value)
            let low = LatencyHistogram.lowerBound(of: bucket)
            let high = LatencyHistogram.lowerBound(of: bucket + 1)
            #expect(low <= value && value < high, "\(value) in [\(low), \(high))")
            #expect(Double(high - low) <= max(1, Double(low) / 8), "\(value): bucket [\(low), \(high)) too wide")
        }
        #expect(LatencyHistogram.bucket(of: UInt64.max) < LatencyHistogram.bucketCount)
    }

    /// Ping's layout: each power of two in 128, every bucket's neighbours meet, and a
    /// value is placed within 1/128 of itself; the edges of 25 µs's bucket, exactly.
    @Test func pingsBucketsAreWithinAHundredAndTwentyEighth() {
        let bits = 7
        var values: [UInt64] = [0, 1, 127, 128, 129, 255, 256, 25_000, 25_127, 1_000_000, UInt64.max / 3, UInt64.max]
        for shift in 0..<64 { values.append(UInt64(1) << UInt64(shift)); values.append((UInt64(1) << UInt64(shift)) &- 1) }
        for value in values {
            let bucket = LatencyHistogram.bucket(of: value, bits: bits)
            #expect(bucket < LatencyHistogram.bucketCount(bits: bits))
            let low = LatencyHistogram.lowerBound(of: bucket, bits: bits)
            #expect(low <= value, "\(value) below its bucket's edge \(low)")
            if value < UInt64.max {
                let high = LatencyHistogram.lowerBound(of: bucket + 1, bits: bits)
                #expect(value < high, "\(value) at or past the next bucket's edge \(high)")
                #expect(Double(high - low) <= max(1, Double(low) / 128), "\(value): bucket [\(low), \(high)) too wide")
            }
        }
        var histogram = LatencyHistogram(bits: bits)
        histogram.record(25_000)
        #expect(histogram.percentile(0.5) == 25_000)
        histogram.record(30_000)
        #expect(histogram.upperBound(of: LatencyHistogram.bucket(of: 25_000, bits: bits)) == 25_087)
        #expect(LatencyHistogram.lowerBound(of: LatencyHistogram.bucket(of: 25_000, bits: bits), bits: bits) == 24_960)
        #expect(histogram.percentile(0.5) == 25_087)
        #expect(LatencyHistogram(counts: histogram.counts, total: 2, maximum: 30_000) == histogram)
    }

    @Test func percentiles() {
        var histogram = LatencyHistogram()
        #expect(histogram.percentile(0.5) == nil)
        for value in 1...1000 { histogram.record(UInt64(value) * 1000) }  // 1 µs … 1 ms
        #expect(histogram.total == 1000)
        #expect(histogram.maximum == 1_000_000)
        let p50 = histogram.percentile(0.5)!
        #expect(p50 >= 500_000 && p50 <= 500_000 * 9 / 8, "\(p50)")
        let p99 = histogram.percentile(0.99)!
        #expect(p99 >= 990_000 && p99 <= 1_000_000, "\(p99)")
        #expect(histogram.percentile(1.0) == 1_000_000)
        var other = LatencyHistogram()
        other.record(5_000_000)
        histogram.merge(other)
        #expect(histogram.total == 1001)
        #expect(histogram.maximum == 5_000_000)
    }
}

@Suite struct SpreadTests {
    func threads(_ counts: [UInt64]) -> [ThreadSample] {
        counts.enumerated().map { ThreadSample(id: $0.offset, cpu: $0.offset, delta: .init(packets: $0.element)) }
    }

    @Test func theArticlesUnevenCase() {
        // "Two threads received all the work and the other two got no packets at all."
        #expect(Spread.warnings(threads([5000, 0, 5000, 0])) == [
            "uneven: threads #1, #3 got 0.0%, 0.0% of the datagrams (a fair share is 25.0%): the SO_REUSEPORT hash puts each flow on one socket, and too few flows collide; send more flows (mpps send --flows N) or steer at random (mpps recv --steer random)"])
    }

    @Test func fairOrIdleIsQuiet() {
        #expect(Spread.warnings(threads([2600, 2400, 2500, 2500])) == [])
        #expect(Spread.warnings(threads([150, 0])) == [], "too little traffic to judge")
        #expect(Spread.warnings(threads([9000])) == [])
    }
}

@Suite struct HostDeltaTests {
    @Test func dropsAreExplainedInWords() {
        var delta = HostDelta()
        delta.hasUDP = true
        delta.rcvbufErrors = 123_800
        delta.inErrors = 123_900
        delta.memErrors = 50
        delta.noPorts = 2
        delta.socketDrops = 120_000
        #expect(delta.dropLines(seconds: 1) == [
            "drops: 123.8k/s socket buffer full (RcvbufErrors): the application is not reading fast enough (120.0k/s at this run's sockets)",
            "drops: 50/s UDP memory exhausted (MemErrors): raise net.ipv4.udp_mem, or read faster",
            "drops: 50/s other receive errors (InErrors, such as bad checksums)",
            "drops: 2/s sent to a port nobody listens on (NoPorts)",
        ])
        #expect(HostDelta().dropLines(seconds: 1) == [])
    }

    @Test func deltasBetweenReadings() {
        let before = HostReading(udp: .init(counters: ["InDatagrams": 10, "RcvbufErrors": 1, "InErrors": 1]), socketDrops: 5)
        let after = HostReading(udp: .init(counters: ["InDatagrams": 110, "RcvbufErrors": 4, "InErrors": 4, "NoPorts": 9]), socketDrops: 8)
        let delta = HostDelta(from: before, to: after)
        #expect(delta.udpIn == 100)
        #expect(delta.rcvbufErrors == 3)
        #expect(delta.inErrors == 3)
        #expect(delta.noPorts == 9)
        #expect(delta.socketDrops == 3)
        #expect(delta.otherErrors == 0)
        #expect(JSONValue.object(delta.json).rendered == #"{"kernel":{"udp_in":100,"rcvbuf_errors":3,"in_errors":3,"no_ports":9,"mem_errors":0},"socket_drops":3}"#)
    }
}
