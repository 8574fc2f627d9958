import Reporting

/// The sink of `mpps recv --svg` and `mpps send --svg`: passes every report to
/// the run's own sink unchanged, keeps what the plot needs from the same
/// reports, and writes the SVG when the summary comes, which it does on every
/// way a run ends (duration, count, a signal, a failed thread, a closed output).
/// Runs on the reporting thread only, as every sink does.
package final class PlottingSink: ReportSink {
    private let inner: ReportSink
    private let output: PlotOutput
    private let title: String
    private let subtitle: [String]
    private var data = RunPlotData()
    /// Why the SVG could not be written; the command reports it after the run.
    package private(set) var failure: RunError?

    /// Wraps `inner`; writes to `output` a figure titled `title` (the command line) over `subtitle` lines (the host).
    package init(wrapping inner: ReportSink, output: PlotOutput, title: String, subtitle: [String]) {
        self.inner = inner
        self.output = output
        self.title = title
        self.subtitle = subtitle
    }

    /// The run's ready line, for the facts under the title (address, threads).
    package func ready(_ line: JSONValue) {
        data.add(line)
    }

    package func interval(_ report: IntervalReport) {
        inner.interval(report)
        data.add(report.json)
    }

    package func summary(_ summary: RunSummary) {
        inner.summary(summary)
        data.add(summary.json)
        do throws(RunError) {
            try output.write(RunPlotData.figure(data, title: title, subtitle: subtitle).svg)
        } catch {
            failure = error
        }
    }
}
