#if canImport(Glibc)
import Glibc
#endif
import PacketIO

/// Where a run's reports go: printed as people read them, or as JSON lines.
/// Called on the reporting thread only, never on a worker.
public protocol ReportSink {
    /// One interval has ended.
    func interval(_ report: IntervalReport)
    /// The run has ended; called exactly once, last.
    func summary(_ summary: RunSummary)
}

/// Writes `text` to standard output at once, unbuffered, so a reader on a pipe sees each line as it happens.
public func writeOutput(_ text: String) {
    writeAll(STDOUT_FILENO, text)
}

/// Writes one line to standard error (diagnostics never mix with the report on stdout).
public func writeError(_ line: String) {
    writeAll(STDERR_FILENO, line + "\n")
}

private func writeAll(_ descriptor: Int32, _ text: String) {
    var text = text
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }  // a closed pipe: nothing more can be said
            offset += written
        }
    }
}

/// The article's line, `  0.352M pps  10.730MiB /  90.010Mb`: millions of
/// datagrams per second, MiB of payload per second, and megabits per second.
public func articleLine(packetsPerSecond: Double, bytesPerSecond: Double) -> String {
    Units.fixed(packetsPerSecond / 1e6, decimals: 3, width: 7) + "M pps "
        + Units.fixed(bytesPerSecond / 1_048_576, decimals: 3, width: 7) + "MiB / "
        + Units.fixed(bytesPerSecond * 8 / 1e6, decimals: 3, width: 7) + "Mb"
}

/// Human output: the article's line per interval, a breakdown per thread when
/// there is more than one, and a summary.
public struct HumanSink: ReportSink {
    /// "received" or "sent", for the summary.
    public let verb: String
    /// Print only the summary.
    public let quiet: Bool
    /// Print a line per thread under each interval when there are several.
    public let perThread: Bool
    /// The per-datagram receive slot, to explain truncation.
    public let slotSize: Int?

    /// Creates a sink.
    public init(verb: String, quiet: Bool = false, perThread: Bool = true, slotSize: Int? = nil) {
        self.verb = verb
        self.quiet = quiet
        self.perThread = perThread
        self.slotSize = slotSize
    }

    public func interval(_ report: IntervalReport) {
        if quiet { return }
        var text = articleLine(packetsPerSecond: report.packetsPerSecond, bytesPerSecond: report.bytesPerSecond) + "\n"
        if perThread && report.threads.count > 1 {
            let total = max(report.delta.packets, 1)
            for thread in report.threads {
                let share = Double(thread.delta.packets) * 100 / Double(total)
                let cpu = thread.cpu >= 0 ? "cpu \(thread.cpu)" : "cpu ?"
                text += "      #\(thread.id) \(cpu) " + Units.fixed(Double(thread.delta.packets) / max(report.length, 1e-9) / 1e6, decimals: 3, width: 7)
                    + "M pps " + Units.fixed(share, decimals: 1, width: 5) + "%\n"
            }
        }
        writeOutput(text)
    }

    public func summary(_ summary: RunSummary) {
        writeOutput(Self.summaryText(summary, verb: verb, slotSize: slotSize))
    }

    /// The summary block, for tests and for programs that print it elsewhere.
    public static func summaryText(_ summary: RunSummary, verb: String, slotSize: Int? = nil) -> String {
        let total = summary.total
        var text = "summary: \(total.packets) datagrams \(verb), \(total.bytes) bytes in "
            + Units.fixed(summary.seconds, decimals: 3) + " s\n"
        text += "         pps mean " + Units.fixed(summary.meanPacketsPerSecond / 1e6, decimals: 3) + "M"
            + ", min " + Units.fixed(summary.minPacketsPerSecond / 1e6, decimals: 3) + "M"
            + ", max " + Units.fixed(summary.maxPacketsPerSecond / 1e6, decimals: 3) + "M\n"
        if summary.threads.count > 1 {
            let parts = summary.threads.enumerated().map { "#\($0.offset) \($0.element.packets)" }
            text += "         per thread: " + parts.joined(separator: ", ") + "\n"
        }
        if total.refused > 0 {
            text += "         refused: \(total.refused) sends got ECONNREFUSED (nothing was listening at the target; those datagrams were not sent)\n"
        }
        if total.noBuffers > 0 {
            text += "         no buffer space: \(total.noBuffers) sends got ENOBUFS and were retried\n"
        }
        if total.truncated > 0 {
            let slot = slotSize.map { " the \($0)-byte" } ?? " the"
            text += "         truncated: \(total.truncated) datagrams were longer than\(slot) receive slot and were cut short\n"
        }
        return text
    }
}

/// JSON output: one object per line, nothing else on stdout.
public struct JSONSink: ReportSink {
    /// Creates a sink.
    public init() {}

    public func interval(_ report: IntervalReport) {
        writeOutput(Self.intervalLine(report) + "\n")
    }

    public func summary(_ summary: RunSummary) {
        writeOutput(Self.summaryLine(summary) + "\n")
    }

    /// `{"type":"interval","elapsed":1.0,"packets":N,"bytes":N,"pps":X,"threads":[{"id":0,"cpu":1,"packets":N}]}`
    public static func intervalLine(_ report: IntervalReport) -> String {
        let threads = report.threads.map { "{\"id\":\($0.id),\"cpu\":\($0.cpu),\"packets\":\($0.delta.packets)}" }
        return "{\"type\":\"interval\",\"elapsed\":\(Units.fixed(report.elapsed, decimals: 3)),\"packets\":\(report.delta.packets)"
            + ",\"bytes\":\(report.delta.bytes),\"pps\":\(Units.fixed(report.packetsPerSecond, decimals: 1))"
            + ",\"threads\":[\(threads.joined(separator: ","))]}"
    }

    /// `{"type":"summary","packets":N,"bytes":N,"seconds":X,"pps_mean":X,"pps_min":X,"pps_max":X,...}`
    public static func summaryLine(_ summary: RunSummary) -> String {
        let total = summary.total
        return "{\"type\":\"summary\",\"packets\":\(total.packets),\"bytes\":\(total.bytes)"
            + ",\"seconds\":\(Units.fixed(summary.seconds, decimals: 3))"
            + ",\"pps_mean\":\(Units.fixed(summary.meanPacketsPerSecond, decimals: 1))"
            + ",\"pps_min\":\(Units.fixed(summary.minPacketsPerSecond, decimals: 1))"
            + ",\"pps_max\":\(Units.fixed(summary.maxPacketsPerSecond, decimals: 1))"
            + ",\"calls\":\(total.calls)"
            + ",\"threads\":[\(summary.threads.map { String($0.packets) }.joined(separator: ","))]"
            + ",\"refused\":\(total.refused),\"no_buffers\":\(total.noBuffers),\"truncated\":\(total.truncated)"
            + ",\"stop\":\"\(summary.reason.rawValue)\"}"
    }
}
