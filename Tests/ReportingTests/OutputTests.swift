import Testing
import PacketIO
@testable import Reporting

@Suite struct OutputTests {
    @Test func theArticleLine() {
        // The article's first line: 0.352M pps, 10.730 MiB/s, 90.010 Mb/s for 32-byte payloads.
        let bytes = 10.730 * 1_048_576
        #expect(articleLine(packetsPerSecond: 352_000, bytesPerSecond: bytes) == "  0.352M pps  10.730MiB /  90.010Mb")
        #expect(articleLine(packetsPerSecond: 1_114_000, bytesPerSecond: 1_114_000 * 32) == "  1.114M pps  33.997MiB / 285.184Mb")
    }

    func report() -> IntervalReport {
        IntervalReport(elapsed: 2.0, length: 1.0, delta: CounterSnapshot(packets: 300, bytes: 9600, calls: 3),
                       threads: [ThreadSample(id: 0, cpu: 1, delta: CounterSnapshot(packets: 200, bytes: 6400)),
                                 ThreadSample(id: 1, cpu: 2, delta: CounterSnapshot(packets: 100, bytes: 3200))])
    }

    @Test func jsonIntervalLine() {
        #expect(report().json.rendered ==
            #"{"type":"interval","elapsed":2.000,"packets":300,"bytes":9600,"pps":300.0,"calls":3,"threads":[{"id":0,"cpu":1,"packets":200},{"id":1,"cpu":2,"packets":100}]}"#)
    }

    @Test func jsonSummaryLine() {
        var builder = SummaryBuilder(interval: 1)
        builder.add(report())
        builder.add(IntervalReport(elapsed: 3, length: 1, delta: CounterSnapshot(packets: 100), threads: []))
        builder.add(IntervalReport(elapsed: 3.5, length: 0.5, delta: CounterSnapshot(packets: 1), threads: []))
        let summary = builder.summary(total: CounterSnapshot(packets: 401, bytes: 12832, refused: 2),
                                      threads: [CounterSnapshot(packets: 300), CounterSnapshot(packets: 101)],
                                      seconds: 3.5, reason: .signal)
        #expect(summary.json.rendered ==
            #"{"type":"summary","packets":401,"bytes":12832,"seconds":3.500,"pps_mean":114.6,"pps_min":100.0,"pps_max":300.0,"calls":0,"threads":[300,101],"refused":2,"no_buffers":0,"truncated":0,"stop":"signal"}"#)
    }

    @Test func summaryWithoutAFullIntervalUsesThePartialOnes() {
        var builder = SummaryBuilder(interval: 1)
        builder.add(IntervalReport(elapsed: 0.5, length: 0.5, delta: CounterSnapshot(packets: 50), threads: []))
        let summary = builder.summary(total: CounterSnapshot(packets: 50), threads: [], seconds: 0.5, reason: .count)
        #expect(summary.minPacketsPerSecond == 100)
        #expect(summary.maxPacketsPerSecond == 100)
        #expect(summary.meanPacketsPerSecond == 100)
    }

    @Test func humanSummaryExplainsRefusalsAndTruncation() {
        let summary = RunSummary(total: CounterSnapshot(packets: 10, bytes: 320, calls: 3, truncated: 1, refused: 3),
                                 seconds: 2, meanPacketsPerSecond: 5, minPacketsPerSecond: 4, maxPacketsPerSecond: 6,
                                 threads: [CounterSnapshot(packets: 4), CounterSnapshot(packets: 6)], reason: .duration)
        #expect(HumanSink.summaryText(summary, verb: "sent", slotSize: 2048) == """
            summary: 10 datagrams sent, 320 bytes in 2.000 s
                     pps mean 0.000M, min 0.000M, max 0.000M
                     batching: 3.3 datagrams per system call (3 calls)
                     per thread: #0 4, #1 6
                     refused: 3 sends got ECONNREFUSED (nothing was listening at the target; those datagrams were not sent)
                     truncated: 1 datagrams were longer than the 2048-byte receive slot and were cut short

            """)
    }
}
