import Reporting

/// The lines of `mpps ndr --json` (trials, then a summary), gathered into its
/// plot: a bar per trial at the rate received, green when it passed and red
/// when it failed, with a mark at the rate offered; the result line under it.
package struct NDRPlotData: Sendable {
    /// One trial, as far as the plot needs it.
    struct Trial: Sendable {
        /// Its number, and its phase when not a search trial: `3`, `5 confirm`, `6 min`.
        var label: String
        /// The rate asked of the sender.
        var offered: Double
        /// Datagrams received per second.
        var received: Double
        /// Its verdict.
        var passed: Bool
    }

    /// The trial lines and the summary (ndr runs at most 30 search trials and a few more).
    private var lines = BarLines<Trial>(type: "trial")
    /// The trials drawn, in order (at most ``BarLines/maximumBars``).
    var trials: [Trial] { lines.bars }
    /// Trial lines read, those beyond ``BarLines/maximumBars`` included.
    package var count: Int { lines.count }
    /// The `summary` line, when there was one.
    package var summary: JSONValue? { lines.summary }

    /// No lines yet.
    package init() {}

    /// Takes one line: `trial` and `summary` lines count, others are passed over.
    package mutating func add(_ line: JSONValue) {
        lines.add(line, bar: Self.trial)
    }

    /// One `trial` line, the `count`th, as the plot needs it; missing or hostile numbers count as 0.
    static func trial(_ line: JSONValue, count: Int) -> Trial {
        let number = line["number"]?.count.map { "\(min($0, 999_999))" } ?? "\(count)"
        let phase = line["phase"]?.string
        let label = phase == "confirm" ? "\(number) confirm" : (phase == "minimum" ? "\(number) min" : number)
        return Trial(label: label, offered: IntervalBucket.amount(line["offered"]),
                     received: IntervalBucket.amount(line["received_pps"]), passed: line["passed"] == .bool(true))
    }

    /// The result as ndr prints it: `result: 1.220M datagrams/s with loss at most 0%, confirmed by a second trial (9 trials)`.
    package var resultLine: String? {
        guard let summary else { return nil }
        let trials = summary["trials"]?.count ?? UInt64(lines.count)
        let trialsText = trials == 1 ? "1 trial" : "\(trials) trials"
        if summary["stop"]?.string == "signal" { return "stopped by a signal after \(trialsText)" }
        let rate = IntervalBucket.amount(summary["rate"])
        let bound = Units.percent(IntervalBucket.amount(summary["max_loss"]))
        guard rate > 0 else { return "result: 0 — no rate held with loss at most \(bound) (\(trialsText))" }
        let confirmed = summary["confirmed"] == .bool(true) ? ", confirmed by a second trial" : ", unconfirmed"
        var line = "result: \(Units.fixed(rate / 1e6, decimals: 3))M datagrams/s with loss at most \(bound)\(confirmed) (\(trialsText))"
        if let limit = summary["limited_by"]?.string { line += "; above it limited by the \(XMLText.shortened(limit, to: 20))" }
        return line
    }

    /// The bar chart; nil when there were no trial lines.
    package var panel: Panel? {
        guard !trials.isEmpty else { return nil }
        let parts = [ChartFrame.LegendEntry(name: "received, passed", color: Palette.received),
                     ChartFrame.LegendEntry(name: "received, failed", color: Palette.failed)]
        let bars = trials.map { trial in
            Bar(label: trial.label, values: trial.passed ? [trial.received, 0] : [0, trial.received],
                marker: trial.offered, caption: trial.passed ? "pass" : "FAIL")
        }
        return .bars(BarChart(title: "Each trial: datagrams per second received against the rate offered",
                              yTitle: "datagrams/s", yUnit: .si(suffix: "/s"), parts: parts, markerName: "offered", bars: bars))
    }

    /// The result line and what was left out.
    package var notes: [String] {
        (resultLine.map { [$0] } ?? [])
            + lines.leftOut("trials")
    }
}
