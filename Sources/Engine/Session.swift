import PacketIO
import Reporting

/// Runs a receive or a send from start to summary, the way every command line
/// of mpps does: signals blocked first, sockets set up (errors before any
/// thread starts), threads started, the monitor reporting, the summary printed.
package enum Session {
    /// Receives until the monitor ends the run; prints through `sink`.
    /// `announce` is called once every receiving thread is reading, before the
    /// first interval, and not at all when a thread failed to start: what it
    /// prints tells a waiting sender it may begin (`mpps lab` waits for it).
    /// Throws a set-up error, or a worker's failure after the summary is printed.
    /// With `interface`, that interface's counters are read every interval too.
    @discardableResult
    package static func receive(_ options: ReceiveOptions, monitor: Monitor, sink: ReportSink, interface: String? = nil,
                               announce: (ReceiveRun) -> Void = { _ in }) throws(RunError) -> RunSummary {
        // Taken before any thread starts; a closed stdout ends the run through the monitor.
        let signals = Syscalls.takeStopSignals()
        defer { Syscalls.restoreSignals(signals) }
        let run = try ReceiveRun(options)
        try run.start()
        // The first readings before the announcement: a sender that starts on it cannot
        // put its first drops into the baseline.
        let begun = monitor.begin(counters: run.counters, sink: sink, sampler: run.sampler(interface: interface),
                                  // CPU steering follows where the kernel worked, not the flows: the hint would mislead.
                                  checksSpread: run.options.reusePort && run.options.threads > 1 && run.options.steering != .cpu,
                                  cpuSampler: run.cpuSampler, receiving: true, delivery: run.options.delivery)
        if run.control.failureMessage == nil { announce(run) }
        var summary = monitor.run(begun, control: run.control, finished: { false }, stopWorkers: run.stop)
        summary.sequences = run.sequenceReport()
        summary.incomingCPUs = run.incomingCPUs()
        sink.summary(summary)
        if let failure = run.control.failureMessage { throw RunError(failure) }
        return summary
    }

    /// Sends until the count is met or the monitor ends the run; prints through `sink`.
    /// `announce` is called once the sending threads have started (unless one failed at once), before the first interval.
    @discardableResult
    package static func send(_ options: SendOptions, monitor: Monitor, sink: ReportSink,
                            announce: (SendRun) -> Void = { _ in }) throws(RunError) -> RunSummary {
        let signals = Syscalls.takeStopSignals()
        defer { Syscalls.restoreSignals(signals) }
        let run = try SendRun(options)
        try run.start()
        let begun = monitor.begin(counters: run.counters, sink: sink, cpuSampler: CPUSampler(registry: run.threadCPU))
        if run.control.failureMessage == nil { announce(run) }
        let summary = monitor.run(begun, control: run.control, finished: { run.isFinished }, stopWorkers: run.stop)
        sink.summary(summary)
        if let failure = run.control.failureMessage { throw RunError(failure) }
        return summary
    }
}
