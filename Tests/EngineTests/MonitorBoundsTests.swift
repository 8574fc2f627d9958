import Testing
@testable import Engine
import PacketIO
import Reporting

/// The monitor's loop with intervals and durations no command accepts: it must
/// still end on time and never spin.
@Suite struct MonitorBoundsTests {
    final class CountingSink: ReportSink, @unchecked Sendable {
        var intervals = 0
        var summaries = 0
        func interval(_ report: IntervalReport) { intervals += 1 }
        func summary(_ summary: RunSummary) { summaries += 1 }
    }

    @Test func aSubMillisecondIntervalIsHeldToOneMillisecond() {
        // 0.1 ns became an interval of 0 ns, and the catch-up loop never ended.
        let sink = CountingSink()
        let control = RunControl()
        let start = MonotonicClock.now()
        let summary = Monitor(interval: 1e-10, duration: 0.05).run(
            counters: ThreadCounters(count: 1), control: control, finished: { false }, stopWorkers: {}, sink: sink)
        let elapsed = Double(MonotonicClock.now() - start) / 1e9
        #expect(summary.reason == .duration)
        #expect(elapsed < 10, "\(elapsed) s")  // the loop this guards against never ended
        // At most one line per millisecond of the 50 ms run, and the last partial one.
        #expect(sink.intervals >= 1 && sink.intervals <= 52, "\(sink.intervals) lines")
    }

    @Test func aDurationBeyond64BitsOfNanosecondsNeverEnds() {
        // UInt64(1e30 * 1e9) trapped; now the deadline saturates, and the run ends on a stop.
        let sink = CountingSink()
        let control = RunControl()
        var polls = 0
        let summary = Monitor(interval: 1, duration: 1e30).run(
            counters: ThreadCounters(count: 1), control: control,
            finished: { polls += 1; return polls > 3 }, stopWorkers: {}, sink: sink)
        #expect(summary.reason == .count)
    }
}
