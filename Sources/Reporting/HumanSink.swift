#if canImport(Glibc)
import Glibc
#endif
import HostStats
import PacketIO

/// The article's line, `  0.352M pps  10.730MiB /  90.010Mb`: millions of
/// datagrams per second, MiB of payload per second, and megabits per second.
package func articleLine(packetsPerSecond: Double, bytesPerSecond: Double) -> String {
    Units.fixed(packetsPerSecond / 1e6, decimals: 3, width: 7) + "M pps "
        + Units.fixed(bytesPerSecond / 1_048_576, decimals: 3, width: 7) + "MiB / "
        + Units.fixed(bytesPerSecond * 8 / 1e6, decimals: 3, width: 7) + "Mb"
}

/// Human output: the article's line per interval, a breakdown per thread when
/// there is more than one, and a summary.
package struct HumanSink: ReportSink {
    /// "received" or "sent", for the summary.
    package let verb: String
    /// Print only the summary.
    package let quiet: Bool
    /// Print a line per thread under each interval when there are several.
    package let perThread: Bool
    /// The per-datagram receive slot, to explain truncation.
    package let slotSize: Int?
    /// Print, under an interval, where datagrams were dropped and warnings about
    /// the spread; off for the article's own programs, which print its lines only.
    package let explains: Bool

    /// Creates a sink.
    package init(verb: String, quiet: Bool = false, perThread: Bool = true, slotSize: Int? = nil, explains: Bool = true) {
        self.verb = verb
        self.quiet = quiet
        self.perThread = perThread
        self.slotSize = slotSize
        self.explains = explains
    }

    package func interval(_ report: IntervalReport) {
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
        if explains {
            for line in report.host?.dropLines(seconds: report.length) ?? [] { text += "  " + line + "\n" }
            for warning in report.warnings { text += "  " + warning + "\n" }
            if let cpu = report.cpu {
                if !cpu.cpus.isEmpty { text += "  " + cpu.compactLine + "\n" }
                for finding in cpu.findings { text += "  finding: " + finding.text + "\n" }
            }
        }
        writeOutput(text)
    }

    package func summary(_ summary: RunSummary) {
        var summary = summary
        // The article's own programs print its lines only.
        if !explains { summary.cpu = nil }
        writeOutput(Self.summaryText(summary, verb: verb, slotSize: slotSize))
    }

    /// The summary block, for tests and for programs that print it elsewhere.
    package static func summaryText(_ summary: RunSummary, verb: String, slotSize: Int? = nil) -> String {
        let total = summary.total
        var text = "summary: \(total.packets) datagrams \(verb), \(total.bytes) bytes in "
            + Units.fixed(summary.seconds, decimals: 3) + " s\n"
        text += "         pps mean " + Units.fixed(summary.meanPacketsPerSecond / 1e6, decimals: 3) + "M"
            + ", min " + Units.fixed(summary.minPacketsPerSecond / 1e6, decimals: 3) + "M"
            + ", max " + Units.fixed(summary.maxPacketsPerSecond / 1e6, decimals: 3) + "M\n"
        if total.calls > 0 {
            // How well the batches filled: what --batch, --gso, --gro and --rx-usecs change.
            text += "         batching: " + Units.fixed(Double(total.packets) / Double(total.calls), decimals: 1)
                + " datagrams per system call (\(total.calls) calls)\n"
        }
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
        if let sequences = summary.sequences, sequences.hasSequences {
            text += sequenceText(sequences)
        }
        if let cpus = summary.incomingCPUs, cpus.count > 1 || cpus.contains(where: { $0 >= 0 }) {
            text += incomingCPUText(cpus)
        }
        if let cpu = summary.cpu {
            text += cpuText(summary, cpu: cpu, verb: verb)
        }
        if let host = summary.host {
            for line in host.dropLines(amount: { "\($0)" }) { text += "         " + line + "\n" }
            if let drops = host.socketDrops {
                text += "         dropped at this run's sockets: \(drops)"
                    + (host.hasUDP ? "; host-wide RcvbufErrors \(host.rcvbufErrors), MemErrors \(host.memErrors), InErrors \(host.inErrors)" : "")
                    + "\n"
            }
        }
        return text
    }

    /// `cpu: receiving threads 0.912 s (user 0.101, system 0.811), 405.2 ns per datagram; process 0.930 s`,
    /// the CPU shares over the run, and the findings.
    private static func cpuText(_ summary: RunSummary, cpu: CPUUse, verb: String) -> String {
        let threads = cpu.threadTotal
        var text = "         cpu: \(verb == "sent" ? "sending" : "receiving") threads " + Units.fixed(threads.total, decimals: 3)
            + " s (user " + Units.fixed(threads.user, decimals: 3) + ", system " + Units.fixed(threads.system, decimals: 3) + ")"
        if let perDatagram = summary.cpuNanosecondsPerDatagram {
            text += ", " + Units.fixed(perDatagram, decimals: 1) + " ns per datagram"
        }
        if let process = cpu.process { text += "; the process " + Units.fixed(process.total, decimals: 3) + " s" }
        text += "\n"
        if !cpu.cpus.isEmpty { text += "         over the run: " + cpu.compactLine + "\n" }
        for finding in cpu.findings { text += "         finding: " + finding.text + "\n" }
        return text
    }

    private static func sequenceText(_ sequences: SequenceReport) -> String {
        let flows = sequences.flows.count
        let expected = sequences.flows.reduce(UInt64(0)) { $0.addingSaturating($1.expected) }
        let unique = sequences.flows.reduce(UInt64(0)) { $0.addingSaturating($1.unique) }
        var text = "         sequence: \(unique) of \(expected) received in \(flows) flow\(flows == 1 ? "" : "s"): "
            + "\(sequences.lost) lost, \(sequences.reordered) reordered, \(sequences.duplicates) duplicates\n"
        if sequences.flowsWithoutEnd > 0 {
            text += "         \(sequences.flowsWithoutEnd) flow\(sequences.flowsWithoutEnd == 1 ? "" : "s") never signalled its end: "
                + "a lost tail of \(sequences.flowsWithoutEnd == 1 ? "it" : "them") is not counted\n"
        }
        text += apartText(sequences)
        if sequences.untracked > 0 {
            text += "         untracked: \(sequences.untracked) datagrams of flows beyond the first \(sequences.trackedFlowsPerThread) per thread\n"
        }
        if sequences.implausible > 0 {
            text += "         implausible: \(sequences.implausible) datagram\(sequences.implausible == 1 ? "" : "s") whose header claimed the impossible "
                + "or named a flow no --flow-key made: counted as datagrams, and in no flow\n"
        }
        if let p50 = sequences.latency.percentile(0.5), let p99 = sequences.latency.percentile(0.99),
           let p999 = sequences.latency.percentile(0.999) {
            text += "         latency: p50 \(microseconds(p50)), p99 \(microseconds(p99)), p99.9 \(microseconds(p999)), "
                + "max \(microseconds(sequences.latency.maximum)) (one way, \(sequences.latency.total) datagrams)\n"
        }
        return text
    }

    /// The datagrams in no flow's `lost`, and the busiest flows when there are several.
    private static func apartText(_ sequences: SequenceReport) -> String {
        var text = ""
        if sequences.unseenStart > 0 {
            text += "         unseen start: \(sequences.unseenStart) datagrams before the first seen of \(sequences.unseenStartFlows) "
                + "flow\(sequences.unseenStartFlows == 1 ? "" : "s"): lost or never sent here, not counted as lost\n"
        }
        if sequences.unjudged > 0 {
            text += "         unjudged: \(sequences.unjudged) datagrams of \(sequences.unjudgedFlows) flow\(sequences.unjudgedFlows == 1 ? "" : "s") "
                + "too short to judge (fewer than 4 close together): in no flow's account\n"
        }
        if sequences.evictedFlows > 0 {
            text += "         evicted: \(sequences.evictedFlows) flow\(sequences.evictedFlows == 1 ? "" : "s") that went quiet early gave way to newer ones "
                + "(their datagrams stay counted)\n"
        }
        if sequences.flows.count > 1 || sequences.unjudged > 0 || sequences.evictedFlows > 0 {
            for flow in sequences.busiestFlows(shownFlows) { text += "         " + flowText(flow) + "\n" }
        }
        return text
    }

    /// Flows the human summary lists when there are several.
    static let shownFlows = 3

    /// `flow 3735928559 from 127.0.0.1:40000: 20000 received, 0 lost, 0 reordered, 0 duplicates, 20000 sent`.
    static func flowText(_ flow: FlowSummary) -> String {
        "flow \(flow.flow) from \(flow.source.map(\.description) ?? "an unrecorded source"): \(flow.unique) received, \(flow.lost) lost, "
            + "\(flow.reordered) reordered, \(flow.duplicates) duplicates, "
            + (flow.sent.map { "\($0) sent" } ?? "no end") + (flow.lowest > 0 ? ", first seen at \(flow.lowest)" : "")
    }

    /// `incoming CPU per socket (SO_INCOMING_CPU): #0 cpu 1, #1 unknown`, and why unknown when none is known.
    private static func incomingCPUText(_ cpus: [Int]) -> String {
        let parts = cpus.enumerated().map { $0.element >= 0 ? "#\($0.offset) cpu \($0.element)" : "#\($0.offset) unknown" }
        let why = cpus.allSatisfy { $0 < 0 } ? " (Linux records it for connected UDP sockets only)" : ""
        return "         incoming CPU per socket (SO_INCOMING_CPU): " + parts.joined(separator: ", ") + why + "\n"
    }

    private static func microseconds(_ nanoseconds: UInt64) -> String {
        Units.fixed(Double(nanoseconds) / 1000, decimals: 1) + " µs"
    }
}
