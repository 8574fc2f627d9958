import PacketIO
import Reporting

/// The lab's output: a block per experiment as it finishes, a closing table;
/// or, with `--json`, one object per experiment and a summary.
package enum LabReport {
    /// `mpps send 127.0.0.1:4321 --json`, for a person to copy.
    package static func commandLine(_ argv: [String]) -> String {
        argv.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
    }

    /// The block printed when experiment `index` (from 1) of `count` has ended.
    package static func text(_ result: LabResult, index: Int, count: Int) -> String {
        let experiment = result.experiment
        var text = "\(index)/\(count) \(experiment.name): \(experiment.title)\n"
        text += "  $ \(commandLine(result.receiverArgv))\n"
        text += "  $ \(commandLine(result.senderArgv))\n"
        switch result.outcome {
        case .measured(let measurement):
            text += "  = \(rate(measurement.receivedPerSecond)) pps received of \(rate(measurement.sentPerSecond)) sent"
                + "; lost \(measurement.lost) (\(percent(measurement.lossFraction)))"
            if measurement.lost > 0 || measurement.drops.socket > 0 { text += ": \(measurement.dropsInWords)" }
            if measurement.threadPackets.count > 1 { text += "; per thread \(measurement.sharesInWords) %" }
            if let cpus = measurement.incomingCPUsInWords { text += "; incoming CPU per socket \(cpus)" }
            text += "\n"
        case .skipped(let reason):
            text += "  = not run: \(reason)\n"
        case .failed(let reason):
            text += "  = failed: \(reason)\n"
        }
        text += "  \(experiment.shows)\n"
        for note in experiment.notes { text += "  cannot show here: \(note)\n" }
        return text
    }

    /// The closing table, one row per experiment.
    package static func table(_ results: [LabResult]) -> String {
        let nameWidth = max(10, (results.map(\.experiment.name.count).max() ?? 0))
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
        }
        func right(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
        }
        var text = pad("experiment", nameWidth) + "  received      sent      lost  per thread %   drops\n"
        for result in results {
            text += pad(result.experiment.name, nameWidth) + "  "
            switch result.outcome {
            case .measured(let measurement):
                text += right(rate(measurement.receivedPerSecond), 8) + "  " + right(rate(measurement.sentPerSecond), 8)
                    + "  " + right(Units.count(measurement.lost), 8) + "  "
                    + pad(measurement.threadPackets.count > 1 ? measurement.sharesInWords : "-", 12) + "   "
                    + measurement.dropsInWords + "\n"
            case .skipped(let reason):
                text += "not run: \(reason)\n"
            case .failed(let reason):
                text += "failed: \(reason)\n"
            }
        }
        return text
    }

    /// `{"type":"experiment","name":...,"sender":[argv],"receiver":[argv],"received_pps":X,...}`
    package static func json(_ result: LabResult) -> String {
        let experiment = result.experiment
        var line = "{\"type\":\"experiment\",\"name\":\(JSONSink.jsonString(experiment.name))"
            + ",\"title\":\(JSONSink.jsonString(experiment.title))"
            + ",\"sender\":\(stringArray(result.senderArgv)),\"receiver\":\(stringArray(result.receiverArgv))"
        switch result.outcome {
        case .measured(let m):
            line += ",\"received_pps\":\(Units.fixed(m.receivedPerSecond, decimals: 1))"
                + ",\"sent_pps\":\(Units.fixed(m.sentPerSecond, decimals: 1))"
                + ",\"sent\":\(m.sent),\"received\":\(m.received),\"lost\":\(m.lost)"
                + ",\"sequence_lost\":\(m.sequenceLost.map(String.init) ?? "null")"
                + ",\"loss\":\(Units.fixed(m.lossFraction, decimals: 6))"
                + ",\"drops\":\(m.drops.json)"
                + ",\"threads\":[\(m.threadPackets.map(String.init).joined(separator: ","))]"
                + ",\"shares\":[\(m.shares.map { Units.fixed($0, decimals: 4) }.joined(separator: ","))]"
            if let cpus = m.incomingCPUs { line += ",\"incoming_cpus\":\(cpus.rendered)" }
        case .skipped(let reason):
            line += ",\"skipped\":\(JSONSink.jsonString(reason))"
        case .failed(let reason):
            line += ",\"error\":\(JSONSink.jsonString(reason))"
        }
        line += ",\"notes\":\(stringArray(experiment.notes))}"
        return line
    }

    /// `{"type":"summary","experiments":N,"completed":N,...}`
    package static func summaryJSON(_ results: [LabResult], planned: Int, seconds: Double, place: String,
                                   cpus: [Int], notes: [String], stop: String) -> String {
        let measured = results.compactMap { result -> (String, TrialMeasurement)? in
            if case .measured(let m) = result.outcome { return (result.experiment.name, m) }
            return nil
        }
        let skipped = results.filter { if case .skipped = $0.outcome { return true } else { return false } }.count
        let failed = results.filter { if case .failed = $0.outcome { return true } else { return false } }.count
        var line = "{\"type\":\"summary\",\"experiments\":\(planned),\"completed\":\(measured.count)"
            + ",\"skipped\":\(skipped),\"failed\":\(failed),\"seconds\":\(Units.fixed(seconds, decimals: 3))"
            + ",\"place\":\(JSONSink.jsonString(place)),\"cpus\":\(JSONSink.jsonString(CPUList(cpus).description))"
        if let best = measured.max(by: { $0.1.receivedPerSecond < $1.1.receivedPerSecond }) {
            line += ",\"best\":{\"name\":\(JSONSink.jsonString(best.0)),\"received_pps\":\(Units.fixed(best.1.receivedPerSecond, decimals: 1))}"
        }
        line += ",\"notes\":\(stringArray(notes)),\"stop\":\(JSONSink.jsonString(stop))}"
        return line
    }

    /// `0.362M`: millions with three decimals, as the article prints rates.
    package static func rate(_ value: Double) -> String {
        Units.fixed(value / 1e6, decimals: 3) + "M"
    }

    /// `0%`, `0.0012%`, `12.34%`: small losses keep their digits.
    static func percent(_ fraction: Double) -> String {
        if fraction == 0 { return "0%" }
        return Units.fixed(fraction * 100, decimals: fraction < 0.001 ? 4 : 2) + "%"
    }

    static func stringArray(_ strings: [String]) -> String {
        "[" + strings.map(JSONSink.jsonString).joined(separator: ",") + "]"
    }
}
