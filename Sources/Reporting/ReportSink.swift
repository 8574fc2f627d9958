/// Where a run's reports go: printed as people read them, or as JSON lines.
/// Called on the reporting thread only, never on a worker.
package protocol ReportSink {
    /// One interval has ended.
    func interval(_ report: IntervalReport)
    /// The run has ended; called exactly once, last.
    func summary(_ summary: RunSummary)
}
