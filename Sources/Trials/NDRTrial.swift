import PacketIO
import Reporting

/// One trial of `mpps ndr`: a rate offered, what the pair did, and the verdict.
package struct NDRTrial: Sendable, Equatable {
    /// Why a trial failed: the receiving side lost too much, or the sender could
    /// not offer the rate at all (then the rate says nothing about the receiver).
    package enum Limit: String, Sendable {
        case loss, sender
    }

    /// 1 for the first trial.
    package var number: Int
    /// Which part of the search it belongs to.
    package var phase: NDRSearch.Phase
    /// The rate asked of the sender (`--rate`), datagrams per second.
    package var offered: Double
    /// Datagrams asked of the sender (`--count`).
    package var expected: UInt64
    /// What happened.
    package var measurement: TrialMeasurement
    /// Why it failed; nil when it passed.
    package var limit: Limit?
    /// The verdict in words.
    package var reason: String

    /// True when loss was within the bound and the sender offered the whole rate.
    package var passed: Bool { limit == nil }

    /// Judges a trial: it passes when the sender sent all `expected` datagrams
    /// (so the rate really was offered: its run is capped a little above the
    /// trial's length) and at most `loss` of them were lost.
    package init(number: Int, phase: NDRSearch.Phase, offered: Double, expected: UInt64,
                measurement: TrialMeasurement, loss: Double) {
        self.number = number
        self.phase = phase
        self.offered = offered
        self.expected = expected
        self.measurement = measurement
        if measurement.sent < expected {
            limit = .sender
            reason = "the sender offered only \(LabReport.rate(measurement.sentPerSecond))/s (\(measurement.sent) of \(expected) datagrams in time)"
        } else if measurement.lossFraction > loss {
            limit = .loss
            reason = "lost \(LabReport.percent(measurement.lossFraction)), more than \(LabReport.percent(loss))"
        } else {
            limit = nil
            reason = "loss \(LabReport.percent(measurement.lossFraction)) within \(LabReport.percent(loss))"
        }
    }

    /// `trial 3  offered 0.258M  sent 0.258M  received 0.258M  lost 0 (0.00%)  pass: ...`
    package var text: String {
        let m = measurement
        let label = phase == .search ? "trial \(number)" : "\(phase.rawValue) (\(number))"
        var line = label.padded(to: 12) + " offered " + LabReport.rate(offered)
            + "  sent " + LabReport.rate(m.sentPerSecond) + "  received " + LabReport.rate(m.receivedPerSecond)
            + "  lost \(m.lost) (\(LabReport.percent(m.lossFraction)))"
        if m.lost > 0 || m.drops.socket > 0 { line += ": \(m.dropsInWords)" }
        return line + "  " + (passed ? "pass" : "FAIL") + ": " + reason
    }

    /// `{"type":"trial","number":N,"phase":"search","offered":X,...,"passed":true}`
    package var json: String {
        let m = measurement
        return "{\"type\":\"trial\",\"number\":\(number),\"phase\":\"\(phase.rawValue)\""
            + ",\"offered\":\(Units.fixed(offered, decimals: 1)),\"expected\":\(expected)"
            + ",\"sent\":\(m.sent),\"received\":\(m.received),\"lost\":\(m.lost)"
            + ",\"sequence_lost\":\(m.sequenceLost.map(String.init) ?? "null")"
            + ",\"loss\":\(Units.fixed(m.lossFraction, decimals: 6))"
            + ",\"sent_pps\":\(Units.fixed(m.sentPerSecond, decimals: 1)),\"received_pps\":\(Units.fixed(m.receivedPerSecond, decimals: 1))"
            + ",\"drops\":\(m.drops.json),\"socket_drops\":\(m.drops.socket),\"other_drops\":\(m.lostElsewhere)"
            + ",\"passed\":\(passed),\"limit\":\(limit.map { "\"\($0.rawValue)\"" } ?? "null")"
            + ",\"reason\":\(JSONSink.jsonString(reason))}"
    }
}
