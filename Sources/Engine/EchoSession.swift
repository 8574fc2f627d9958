import PacketIO
import Reporting

/// Runs an echo from start to summary: signals taken, sockets bound (errors before
/// any thread starts), threads answering, one report per interval, the summary.
package enum EchoSession {
    /// Where an echo's reports go: as JSON lines or as lines for people (none but the summary when quiet).
    package struct Output: Sendable {
        package var json: Bool
        package var quiet: Bool
        package init(json: Bool, quiet: Bool) {
            self.json = json
            self.quiet = quiet
        }

        func interval(_ report: EchoInterval) {
            guard !quiet else { return }
            if json { JSONSink.write(report.json) } else { writeOutput(report.text + "\n") }
        }

        func summary(_ summary: EchoSummary) {
            if json { JSONSink.write(summary.json) } else { writeOutput(summary.text + "\n") }
        }
    }

    /// Echoes until the duration, the count, a signal or a failure ends the run.
    /// `announce` is called once every thread is reading (not when one failed to start).
    /// Throws a set-up error, or a thread's failure after the summary is printed.
    @discardableResult
    package static func run(_ options: EchoOptions, interval: Double, duration: Double?, output: Output,
                            announce: (EchoRun) -> Void) throws(RunError) -> EchoSummary {
        let signals = Syscalls.takeStopSignals()
        defer { Syscalls.restoreSignals(signals) }
        let run = try EchoRun(options)
        try run.start()
        // The first readings before the announcement: a client that starts on it (or stops
        // this process at once, as a test does) cannot put its first drops into the baseline.
        let sampler = CPUSampler(registry: run.threadCPU)
        let firstCPU = sampler.read()
        let firstDrops = run.socketDrops()
        if run.control.failureMessage == nil { announce(run) }
        var clock = RunClock(interval: interval, duration: duration)
        var previous = Array(repeating: EchoTotals(), count: run.counters.count)
        var previousTime = clock.start
        var previousDrops = firstDrops
        var reason = StopReason.count

        func report(until now: UInt64) {
            let current = (0..<run.counters.count).map { EchoTotals(words: run.counters.slot($0).read()) }
            let deltas = zip(current, previous).map { $0.since($1) }
            previous = current
            let drops = run.socketDrops()
            let dropDelta = drops.flatMap { now in previousDrops.map { now &- $0 } }
            previousDrops = drops
            let total = EchoTotals(words: deltas.reduce(EchoTotals().words) { zip($0, $1.words).map { $0 &+ $1 } })
            output.interval(EchoInterval(elapsed: clock.elapsed(at: now), length: Double(now &- previousTime) / 1e9,
                                         delta: total, threads: deltas.map { ($0[.requests], $0[.replies]) },
                                         socketDrops: dropDelta))
            previousTime = now
        }

        loop: while true {
            switch clock.next(control: run.control, finished: { false }) {
            case .tick(let now): report(until: now)
            case .stop(let why): reason = why; break loop
            }
        }
        run.stop()
        let end = MonotonicClock.now()
        let moved = (0..<run.counters.count).contains { EchoTotals(words: run.counters.slot($0).read()) != previous[$0] }
        if moved || end &- previousTime >= Units.nanoseconds(interval) / 2 { report(until: end) }
        let totals = (0..<run.counters.count).map { EchoTotals(words: run.counters.slot($0).read()) }
        let seconds = clock.elapsed(at: end)
        let drops = run.socketDrops().flatMap { now in firstDrops.map { now &- $0 } }
        let summary = EchoSummary(totals: EchoTotals(words: run.counters.sum()), threadRequests: totals.map { $0[.requests] },
                                  seconds: seconds, reason: reason, socketDrops: drops,
                                  cpu: CPUUse(from: firstCPU, to: sampler.read(), seconds: seconds), pingFlows: run.pingFlows())
        output.summary(summary)
        if let failure = run.control.failureMessage { throw RunError(failure) }
        return summary
    }
}
