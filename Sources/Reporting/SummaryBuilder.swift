import PacketIO

/// Collects interval reports into a ``RunSummary``.
package struct SummaryBuilder: Sendable {
    private var fullIntervalRates: [Double] = []
    private var partialIntervalRates: [Double] = []
    private let interval: Double

    /// A builder for intervals nominally `interval` seconds long.
    package init(interval: Double) { self.interval = interval }

    /// Adds one interval; only full-length ones count for min and max.
    package mutating func add(_ report: IntervalReport) {
        if report.length >= interval * 0.999 {
            fullIntervalRates.append(report.packetsPerSecond)
        } else if report.length > 0 {
            partialIntervalRates.append(report.packetsPerSecond)
        }
    }

    /// The summary for a run that moved `total` in `seconds`.
    package func summary(total: CounterSnapshot, threads: [CounterSnapshot], seconds: Double, reason: StopReason,
                        host: HostDelta? = nil) -> RunSummary {
        let mean = seconds > 0 ? Double(total.packets) / seconds : 0
        let rates = fullIntervalRates.isEmpty ? (partialIntervalRates.isEmpty ? [mean] : partialIntervalRates) : fullIntervalRates
        return RunSummary(total: total, seconds: seconds, meanPacketsPerSecond: mean,
                          minPacketsPerSecond: rates.min() ?? 0, maxPacketsPerSecond: rates.max() ?? 0,
                          threads: threads, reason: reason, host: host)
    }
}
