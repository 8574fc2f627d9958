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
                + "; lost \(measurement.lost) (\(Units.percent(measurement.lossFraction)))"
            if measurement.lost > 0 || measurement.drops.socket > 0 { text += ": \(measurement.dropsInWords)" }
            if measurement.threadPackets.count > 1 { text += "; per thread \(measurement.sharesInWords) %" }
            if let cpus = measurement.incomingCPUsInWords { text += "; incoming CPU per socket \(cpus)" }
            text += "\n"
            if !measurement.cpus.isEmpty {
                text += "  cpu: " + CPUUse(cpus: measurement.cpus).compactLine
                if let perDatagram = measurement.cpuNanosecondsPerDatagram {
                    text += "; receiving threads " + Units.fixed(perDatagram, decimals: 1) + " ns per datagram"
                }
                text += "\n"
            }
            for finding in measurement.findings { text += "  finding: \(finding)\n" }
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

    /// One experiment as a JSON line (`mpps lab --json`), keys in this order:
    ///
    /// - `type`: `"experiment"`; `name`, `title`.
    /// - `sender`, `receiver`: the argument vectors as a person types them (`ip netns exec NS mpps ...` with `--netns`).
    /// - when it ran: `received_pps`, `sent_pps` (datagrams per second of sending, 1 decimal); `sent`,
    ///   `received` (the sender's and the receiver's counts); `lost` (``TrialMeasurement/lost``);
    ///   `sequence_lost` (the receiver's sequence count, null without headers); `loss` (`lost / sent`, 6 decimals);
    ///   `drops` (``DropCounts/json``); `threads` (datagrams per receiving thread) and `shares` (each one's
    ///   fraction, 4 decimals); `incoming_cpus` (the receiver's, when it reports them); `cpus` (each CPU's
    ///   shares over the receiver's run, when it reports them), `cpu_ns_per_datagram` (the receiving threads'
    ///   CPU per datagram, or null) and `findings` (what the shares say about the limit).
    /// - `skipped` (this build lacks an option) or `error` (a process failed) instead of the numbers.
    /// - `notes`: why the experiment cannot show its effect here.
    package static func json(_ result: LabResult) -> JSONValue {
        let experiment = result.experiment
        var object: JSONObject = [
            "type": "experiment",
            "name": .string(experiment.name),
            "title": .string(experiment.title),
            "sender": .strings(result.senderArgv),
            "receiver": .strings(result.receiverArgv),
        ]
        switch result.outcome {
        case .measured(let m):
            object.append("received_pps", .fixed(m.receivedPerSecond, places: 1))
            object.append("sent_pps", .fixed(m.sentPerSecond, places: 1))
            object.append("sent", .unsigned(m.sent))
            object.append("received", .unsigned(m.received))
            object.append("lost", .unsigned(m.lost))
            object.append("sequence_lost", .optional(m.sequenceLost) { .unsigned($0) })
            object.append("loss", .fixed(m.lossFraction, places: 6))
            object.append("drops", m.drops.json)
            object.append("threads", .counters(m.threadPackets))
            object.append("shares", .array(m.shares.map { .fixed($0, places: 4) }))
            if let cpus = m.incomingCPUs { object.append("incoming_cpus", cpus) }
            if !m.cpus.isEmpty { object.append("cpus", CPUUse(cpus: m.cpus).cpusJSON) }
            object.append("cpu_ns_per_datagram", .optional(m.cpuNanosecondsPerDatagram) { .fixed($0, places: 1) })
            object.append("findings", .strings(m.findings))
        case .skipped(let reason):
            object.append("skipped", .string(reason))
        case .failed(let reason):
            object.append("error", .string(reason))
        }
        object.append("notes", .strings(experiment.notes))
        return .object(object)
    }

    /// The lab's last JSON line, keys in this order: `type` (`"summary"`), `experiments` (planned),
    /// `completed`, `skipped`, `failed`, `seconds` (3 decimals), `place` (`loopback`, `netns`, or `server` with `--server`),
    /// `cpus` (the CPUs mpps may use), `best` (`{"name":...,"received_pps":X}`, when any experiment ran),
    /// `notes` (what this machine cannot show), `stop` (`done` or `signal`).
    package static func summaryJSON(_ results: [LabResult], planned: Int, seconds: Double, place: String,
                                   cpus: [Int], notes: [String], stop: String) -> JSONValue {
        let measured = results.compactMap { result -> (String, TrialMeasurement)? in
            if case .measured(let m) = result.outcome { return (result.experiment.name, m) }
            return nil
        }
        let skipped = results.filter { if case .skipped = $0.outcome { return true } else { return false } }.count
        let failed = results.filter { if case .failed = $0.outcome { return true } else { return false } }.count
        var object: JSONObject = [
            "type": "summary",
            "experiments": .int(planned),
            "completed": .int(measured.count),
            "skipped": .int(skipped),
            "failed": .int(failed),
            "seconds": .fixed(seconds, places: 3),
            "place": .string(place),
            "cpus": .string(CPUList(cpus).description),
        ]
        if let best = measured.max(by: { $0.1.receivedPerSecond < $1.1.receivedPerSecond }) {
            object.append("best", ["name": .string(best.0), "received_pps": .fixed(best.1.receivedPerSecond, places: 1)])
        }
        object.append("notes", .strings(notes))
        object.append("stop", .string(stop))
        return .object(object)
    }

    /// `0.362M`: millions with three decimals, as the article prints rates.
    package static func rate(_ value: Double) -> String {
        Units.fixed(value / 1e6, decimals: 3) + "M"
    }
}
