#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import HostStats

/// JSON output: one object per line, nothing else on stdout.
package struct JSONSink: ReportSink {
    /// Creates a sink.
    package init() {}

    package func interval(_ report: IntervalReport) {
        writeOutput(Self.intervalLine(report) + "\n")
    }

    package func summary(_ summary: RunSummary) {
        writeOutput(Self.summaryLine(summary) + "\n")
    }

    /// `{"type":"interval","elapsed":1.0,"packets":N,"bytes":N,"pps":X,"calls":N,"threads":[{"id":0,"cpu":1,"packets":N}]}`
    package static func intervalLine(_ report: IntervalReport) -> String {
        let threads = report.threads.map { "{\"id\":\($0.id),\"cpu\":\($0.cpu),\"packets\":\($0.delta.packets)}" }
        var line = "{\"type\":\"interval\",\"elapsed\":\(Units.fixed(report.elapsed, decimals: 3)),\"packets\":\(report.delta.packets)"
            + ",\"bytes\":\(report.delta.bytes),\"pps\":\(Units.fixed(report.packetsPerSecond, decimals: 1))"
            + ",\"calls\":\(report.delta.calls),\"threads\":[\(threads.joined(separator: ","))]"
        if let host = report.host { line += hostFields(host) }
        if !report.warnings.isEmpty {
            line += ",\"warnings\":[\(report.warnings.map(jsonString).joined(separator: ","))]"
        }
        return line + "}"
    }

    /// `,"kernel":{...},"socket_drops":N` for whatever was read.
    static func hostFields(_ host: HostDelta) -> String {
        var text = ""
        if host.hasUDP {
            text += ",\"kernel\":{\"udp_in\":\(host.udpIn),\"rcvbuf_errors\":\(host.rcvbufErrors),\"in_errors\":\(host.inErrors)"
                + ",\"no_ports\":\(host.noPorts),\"mem_errors\":\(host.memErrors)}"
        }
        if let drops = host.socketDrops { text += ",\"socket_drops\":\(drops)" }
        if !host.softnet.isEmpty {
            let cpus = host.softnet.map {
                "{\"cpu\":\($0.cpu),\"processed\":\($0.processed),\"dropped\":\($0.dropped),\"time_squeeze\":\($0.timeSqueeze)}"
            }
            text += ",\"softnet\":[\(cpus.joined(separator: ","))]"
        }
        if let nic = host.nic {
            var fields = ["\"interface\":\(jsonString(nic.interface))"]
            fields += nic.counters.keys.sorted().map { "\(jsonString($0)):\(nic.counters[$0]!)" }
            if let queues = nic.rxQueues {
                fields.append("\"rx_queues\":[" + queues.map { "{\"queue\":\($0.queue),\"packets\":\($0.packets)}" }
                    .joined(separator: ",") + "]")
            }
            fields.append("\"driver_drops\":{" + nic.driverDrops.map { "\(jsonString($0.name)):\($0.value)" }
                .joined(separator: ",") + "}")
            text += ",\"nic\":{\(fields.joined(separator: ","))}"
        }
        return text
    }

    /// A JSON string literal for `text`.
    package static func jsonString(_ text: String) -> String {
        JSONText.string(text).rendered
    }

    /// `{"type":"summary","packets":N,"bytes":N,"seconds":X,"pps_mean":X,"pps_min":X,"pps_max":X,...}`
    package static func summaryLine(_ summary: RunSummary) -> String {
        let total = summary.total
        return "{\"type\":\"summary\",\"packets\":\(total.packets),\"bytes\":\(total.bytes)"
            + ",\"seconds\":\(Units.fixed(summary.seconds, decimals: 3))"
            + ",\"pps_mean\":\(Units.fixed(summary.meanPacketsPerSecond, decimals: 1))"
            + ",\"pps_min\":\(Units.fixed(summary.minPacketsPerSecond, decimals: 1))"
            + ",\"pps_max\":\(Units.fixed(summary.maxPacketsPerSecond, decimals: 1))"
            + ",\"calls\":\(total.calls)"
            + ",\"threads\":[\(summary.threads.map { String($0.packets) }.joined(separator: ","))]"
            + ",\"refused\":\(total.refused),\"no_buffers\":\(total.noBuffers),\"truncated\":\(total.truncated)"
            + ",\"stop\":\"\(summary.reason.rawValue)\""
            + (summary.host.map(hostFields) ?? "")
            + (summary.sequences.map(sequenceFields) ?? "")
            + (summary.incomingCPUs.map { ",\"incoming_cpus\":[\($0.map(String.init).joined(separator: ","))]" } ?? "")
            + "}"
    }

    /// `,"lost":N,"reordered":N,"duplicates":N,...` and `"latency_us"` when measured.
    static func sequenceFields(_ sequences: SequenceReport) -> String {
        guard sequences.hasSequences else { return "" }
        var text = ",\"lost\":\(sequences.lost),\"reordered\":\(sequences.reordered),\"duplicates\":\(sequences.duplicates)"
            + ",\"flows\":\(sequences.flows.count),\"flows_without_end\":\(sequences.flowsWithoutEnd)"
            + ",\"untracked\":\(sequences.untracked),\"end_markers\":\(sequences.endMarkers)"
        let latency = sequences.latency
        if let p50 = latency.percentile(0.5), let p99 = latency.percentile(0.99), let p999 = latency.percentile(0.999) {
            func us(_ value: UInt64) -> String { Units.fixed(Double(value) / 1000, decimals: 3) }
            text += ",\"latency_us\":{\"p50\":\(us(p50)),\"p99\":\(us(p99)),\"p999\":\(us(p999)),\"max\":\(us(latency.maximum))}"
        }
        return text
    }
}
