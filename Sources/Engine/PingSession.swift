import PacketIO
import Reporting

/// Runs a ping from start to summary: signals taken, sockets opened, threads
/// started, one report per interval, then the senders stopped, the replies
/// still due waited for (at most `--timeout`), and the summary.
package enum PingSession {
    /// Pings until the count is sent and answered, the duration, a signal or a failure ends the run.
    /// `announce` is called once the threads started. `interval` and `summary` print.
    @discardableResult
    package static func run(_ options: PingOptions, interval: Double, duration: Double?, announce: (PingRun) -> Void,
                            report: (PingInterval) -> Void, summary: (PingSummary) -> Void) throws(RunError) -> PingSummary {
        let signals = Syscalls.takeStopSignals()
        defer { Syscalls.restoreSignals(signals) }
        let run = try PingRun(options)
        try run.start()
        let sampler = CPUSampler(registry: run.threadCPU)
        let firstCPU = sampler.read()
        if run.control.failureMessage == nil { announce(run) }
        var clock = RunClock(interval: interval, duration: duration)
        var previous = PingTotals()
        var previousTime = clock.start
        var reason = StopReason.count

        func reading() -> PingTotals {
            PingTotals(flows: (0..<run.counters.count).map { run.counters.slot($0).read() },
                       latencies: (0..<run.latencies.count).map { run.latencies.slot($0).read() })
        }
        func emit(until now: UInt64) {
            let current = reading()
            report(PingInterval(elapsed: clock.elapsed(at: now), length: Double(now &- previousTime) / 1e9,
                                delta: current.since(previous)))
            previous = current
            previousTime = now
        }

        loop: while true {
            switch clock.next(control: run.control, finished: { run.isFinished }) {
            case .tick(let now): emit(until: now)
            case .stop(let why): reason = why; break loop
            }
        }
        run.stop()
        let end = MonotonicClock.now()
        let totals = reading()
        if totals != previous || end &- previousTime >= Units.nanoseconds(interval) / 2 { emit(until: end) }
        let seconds = clock.elapsed(at: end)
        let flows = PingFlowSpread(flows: (0..<run.counters.count).map { run.counters.slot($0).read() })
        let result = PingSummary(totals: totals, mode: options.rate == nil ? "closed" : "open", seconds: seconds,
                                 reason: reason, cpu: CPUUse(from: firstCPU, to: sampler.read(), seconds: seconds), flows: flows)
        summary(result)
        if let failure = run.control.failureMessage { throw RunError(failure) }
        return result
    }
}
