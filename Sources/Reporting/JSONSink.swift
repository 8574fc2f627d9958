/// JSON output: one object per line on standard output, and nothing else there
/// (notices go to standard error). Each kind of line lists its keys where it is
/// built: ``ReceiveReady/json`` and ``SendReady/json`` (the first line),
/// ``IntervalReport/json``, ``RunSummary/json`` (the last line).
package struct JSONSink: ReportSink {
    /// Whether interval lines are written (`--quiet` leaves only the ready line and the summary).
    package let writesIntervals: Bool

    /// Creates a sink; `quiet` writes no interval lines.
    package init(quiet: Bool = false) { writesIntervals = !quiet }

    package func interval(_ report: IntervalReport) {
        if writesIntervals { Self.write(report.json) }
    }

    package func summary(_ summary: RunSummary) {
        Self.write(summary.json)
    }

    /// Writes `value` as one line on standard output: every JSON line of every command goes out here.
    package static func write(_ value: JSONValue) {
        writeOutput(value.rendered + "\n")
    }
}
