import Reporting

/// The lines of `mpps lab --json` (experiments, then a summary), gathered into
/// its plot: a bar per experiment, the datagrams/s received at the bottom and
/// what was lost stacked on top by cause, with a mark at the rate sent.
package struct LabPlotData: Sendable {
    /// One experiment, as far as the plot needs it.
    struct Experiment: Sendable {
        /// The experiment's name (`naive`, `gro`).
        var name: String
        /// Datagrams received per second of sending.
        var receivedPerSecond: Double
        /// Datagrams sent per second.
        var sentPerSecond: Double
        /// Lost datagrams per second of sending, by cause: socket, backlog, elsewhere.
        var lostPerSecond: [Double]
        /// `not run` or `failed` when the experiment has no numbers.
        var missing: String?
    }

    /// The experiment lines and the summary.
    private var lines = BarLines<Experiment>(type: "experiment")
    /// The experiments drawn, in order (at most ``BarLines/maximumBars``).
    var experiments: [Experiment] { lines.bars }
    /// Experiment lines read, those beyond ``BarLines/maximumBars`` included.
    package var count: Int { lines.count }
    /// The `summary` line, when there was one.
    package var summary: JSONValue? { lines.summary }

    /// No lines yet.
    package init() {}

    /// Takes one line: `experiment` and `summary` lines count, others are passed over.
    package mutating func add(_ line: JSONValue) {
        lines.add(line) { line, _ in Self.experiment(line) }
    }

    /// One `experiment` line as the plot needs it; missing or hostile numbers count as 0.
    static func experiment(_ line: JSONValue) -> Experiment {
        let name = XMLText.shortened(line["name"]?.string ?? "?", to: 40)
        if line["skipped"] != nil { return Experiment(name: name, receivedPerSecond: 0, sentPerSecond: 0, lostPerSecond: [], missing: "not run") }
        if line["error"] != nil { return Experiment(name: name, receivedPerSecond: 0, sentPerSecond: 0, lostPerSecond: [], missing: "failed") }
        let received = IntervalBucket.amount(line["received_pps"])
        let sentRate = IntervalBucket.amount(line["sent_pps"])
        let sent = IntervalBucket.amount(line["sent"])
        let lost = IntervalBucket.amount(line["lost"])
        // Each lost datagram goes to one cause, the socket's first, the rest where no counter saw it, as the
        // lab's account does. A GRO receiver's socket counts whole coalesced messages, however many datagrams
        // each held: when it dropped any, what the backlog does not explain was lost there.
        let coalesced = line["receiver"]?.array?.contains(.string("--gro")) == true
        let socketCount = IntervalBucket.amount(line["drops"]?["socket"])
        let backlog = min(IntervalBucket.amount(line["drops"]?["backlog"]), lost)
        let socket = coalesced && socketCount > 0 ? lost - backlog : min(socketCount, lost - backlog)
        let elsewhere = lost - socket - backlog
        let perSecond = sent > 0 ? sentRate / sent : 0
        return Experiment(name: name, receivedPerSecond: received, sentPerSecond: sentRate,
                          lostPerSecond: [socket, backlog, elsewhere].map { $0 * perSecond }, missing: nil)
    }

    /// The summary's facts in a line: `12 experiments on loopback, CPUs 0-1, 35.2 s; best: gro 20.1M/s`.
    package var description: String? {
        guard let summary else { return nil }
        var line = "\(summary["experiments"]?.count ?? UInt64(lines.count)) experiments"
        if let place = summary["place"]?.string { line += " on \(XMLText.shortened(place, to: 20))" }
        if let cpus = summary["cpus"]?.string { line += ", CPUs \(XMLText.shortened(cpus, to: 40))" }
        if let seconds = summary["seconds"]?.double { line += ", \(Units.fixed(seconds, decimals: 1)) s" }
        if let best = summary["best"], let name = best["name"]?.string, let rate = best["received_pps"]?.double {
            line += "; best: \(XMLText.shortened(name, to: 40)) \(AxisScale.short(rate, suffix: "/s"))"
        }
        if summary["stop"]?.string == "signal" { line += "; stopped by a signal" }
        return line
    }

    /// The bar chart; nil when there were no experiment lines.
    package var panel: Panel? {
        guard !experiments.isEmpty else { return nil }
        let parts = [ChartFrame.LegendEntry(name: "received", color: Palette.received),
                     ChartFrame.LegendEntry(name: "lost: socket buffer full", color: Palette.socket),
                     ChartFrame.LegendEntry(name: "lost: CPU backlog full", color: Palette.backlog),
                     ChartFrame.LegendEntry(name: "lost: no counter saw it", color: Palette.other)]
        let bars = experiments.map { experiment in
            if let missing = experiment.missing { return Bar(label: experiment.name, values: [], caption: missing) }
            return Bar(label: experiment.name, values: [experiment.receivedPerSecond] + experiment.lostPerSecond,
                       marker: experiment.sentPerSecond, caption: AxisScale.short(experiment.receivedPerSecond))
        }
        return .bars(BarChart(title: "Datagrams per second received, and lost by cause, per experiment",
                              yTitle: "datagrams/s", yUnit: .si(suffix: "/s"), parts: parts, markerName: "sent", bars: bars))
    }

    /// What was left out, when anything was.
    package var notes: [String] {
        lines.leftOut("experiments")
    }
}
