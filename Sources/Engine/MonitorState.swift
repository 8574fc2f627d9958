import HostStats
import PacketIO
import Reporting

/// What the reporting loop carries from one line to the next: the counters,
/// host readings and CPU readings as last read, and the lines so far. Made
/// when the run starts (the first readings), turned into one
/// ``IntervalReport`` per ``emit(until:)``, and into the ``RunSummary`` at the end.
package struct MonitorState {
    let counters: ThreadCounters
    let sink: ReportSink
    let sampler: HostSampler?
    let cpuSampler: CPUSampler?
    /// Warn when a thread gets far less than its share (SO_REUSEPORT groups).
    let checksSpread: Bool
    /// The workers are receiving threads: the CPU findings (``CPUDiagnosis``) apply.
    let receiving: Bool
    let delivery: ReceiveDelivery
    /// When the run started, and the readings then.
    let start: UInt64
    let firstCPU: CPUReading?
    let firstReading: HostReading?
    /// The readings and the time of the last line.
    private(set) var previousTime: UInt64
    private var previous: [CounterSnapshot]
    private var previousCPU: CPUReading?
    private var previousReading: HostReading?
    /// The CPU each thread was last seen on (-1: not yet).
    private var threadCPUs: [Int]
    private var builder: SummaryBuilder

    /// Takes the first readings: CPU, then host, then the clock.
    init(counters: ThreadCounters, sink: ReportSink, interval: Double, sampler: HostSampler?, checksSpread: Bool,
         cpuSampler: CPUSampler?, receiving: Bool, delivery: ReceiveDelivery) {
        self.counters = counters
        self.sink = sink
        self.sampler = sampler
        self.cpuSampler = cpuSampler
        self.checksSpread = checksSpread
        self.receiving = receiving
        self.delivery = delivery
        firstCPU = cpuSampler?.read()
        previousCPU = firstCPU
        firstReading = sampler?.read()
        previousReading = firstReading
        start = MonotonicClock.now()
        previousTime = start
        previous = Array(repeating: CounterSnapshot(), count: counters.count)
        threadCPUs = Array(repeating: -1, count: counters.count)
        builder = SummaryBuilder(interval: interval)
    }

    /// Reports the stretch from the last line until `now`: reads every thread's
    /// counters (and the host's and CPUs', when sampled), gives the line to the
    /// sink and keeps it for the summary.
    mutating func emit(until now: UInt64) {
        let threads = readThreads()
        let delta = threads.reduce(CounterSnapshot()) { $0 + $1.delta }
        let length = Double(now &- previousTime) / 1e9
        let cpu = readCPU(seconds: length, threads: threads)
        var report = IntervalReport(elapsed: Double(now &- start) / 1e9, length: length,
                                    delta: delta, threads: threads, host: readHost(),
                                    warnings: checksSpread ? Spread.warnings(threads) : [])
        report.cpu = cpu
        previousTime = now
        builder.add(report)
        sink.interval(report)
    }

    /// Each thread's counts since the last line, and the CPU it is on.
    private mutating func readThreads() -> [ThreadSample] {
        var threads: [ThreadSample] = []
        for index in 0..<counters.count {
            let slot = counters.slot(index)
            let current = slot.read()
            let change = current.since(previous[index])
            previous[index] = current
            threads.append(ThreadSample(id: index, cpu: slot.readCPU(), delta: change))
            threadCPUs[index] = threads[index].cpu
        }
        return threads
    }

    /// The CPUs' shares over the last `seconds`, when sampled.
    private mutating func readCPU(seconds: Double, threads: [ThreadSample]) -> CPUUse? {
        guard let cpuSampler, let before = previousCPU else { return nil }
        let reading = cpuSampler.read()
        previousCPU = reading
        return CPUUse(from: before, to: reading, seconds: seconds,
                      receiving: receiving ? threads.map { ($0.cpu, $0.delta.packets) } : nil, delivery: delivery)
    }

    /// The host's counters since the last line, when sampled.
    private mutating func readHost() -> HostDelta? {
        guard let sampler, let before = previousReading else { return nil }
        let reading = sampler.read()
        previousReading = reading
        return HostDelta(from: before, to: reading)
    }

    /// Whether some thread counted something since the last line.
    var hasUnreportedCounts: Bool {
        (0..<counters.count).contains { counters.read($0) != previous[$0] }
    }

    /// The run's summary at `end`: every thread's totals, and the host's and
    /// the CPUs' readings since the start.
    func summary(end: UInt64, reason: StopReason) -> RunSummary {
        let totals = (0..<counters.count).map { counters.read($0) }
        let host = sampler.flatMap { sampler in firstReading.map { HostDelta(from: $0, to: sampler.read()) } }
        var summary = builder.summary(total: totals.reduce(CounterSnapshot(), +), threads: totals,
                                      seconds: Double(end &- start) / 1e9, reason: reason, host: host)
        // The workers recorded their own last CPU time as they ended, so this reading covers all of their work.
        if let cpuSampler, let firstCPU {
            summary.cpu = CPUUse(from: firstCPU, to: cpuSampler.read(), seconds: summary.seconds,
                                 receiving: receiving ? zip(threadCPUs, totals).map { ($0, $1.packets) } : nil, delivery: delivery)
        }
        return summary
    }
}
