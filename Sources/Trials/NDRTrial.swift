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
            reason = "lost \(Units.percent(measurement.lossFraction)), more than \(Units.percent(loss))"
        } else {
            limit = nil
            reason = "loss \(Units.percent(measurement.lossFraction)) within \(Units.percent(loss))"
        }
    }

    /// `trial 3  offered 0.258M  sent 0.258M  received 0.258M  lost 0 (0.00%)  pass: ...`
    package var text: String {
        let m = measurement
        let label = phase == .search ? "trial \(number)" : "\(phase.rawValue) (\(number))"
        var line = label.padded(to: 12) + " offered " + LabReport.rate(offered)
            + "  sent " + LabReport.rate(m.sentPerSecond) + "  received " + LabReport.rate(m.receivedPerSecond)
            + "  lost \(m.lost) (\(Units.percent(m.lossFraction)))"
        if m.lost > 0 || m.drops.socket > 0 { line += ": \(m.dropsInWords)" }
        return line + "  " + (passed ? "pass" : "FAIL") + ": " + reason
    }

    /// The trial as a JSON line (`mpps ndr --json`), keys in this order: `type` (`"trial"`), `number`,
    /// `phase` (`search`, `minimum` or `confirm`), `offered` (the rate asked, 1 decimal), `expected` (the
    /// count asked), `sent`, `received`, `lost`, `sequence_lost` (null without headers), `loss` (`lost / sent`,
    /// 6 decimals), `sent_pps`, `received_pps`, `drops` (``DropCounts/json``), `socket_drops`, `other_drops`
    /// (lost datagrams the drop counts do not explain), `passed`, `limit` (`loss`, `sender`, or null when
    /// it passed), `reason` (the verdict in words).
    package var json: JSONValue {
        let m = measurement
        return [
            "type": "trial",
            "number": .int(number),
            "phase": .string(phase.rawValue),
            "offered": .fixed(offered, places: 1),
            "expected": .unsigned(expected),
            "sent": .unsigned(m.sent),
            "received": .unsigned(m.received),
            "lost": .unsigned(m.lost),
            "sequence_lost": .optional(m.sequenceLost) { .unsigned($0) },
            "loss": .fixed(m.lossFraction, places: 6),
            "sent_pps": .fixed(m.sentPerSecond, places: 1),
            "received_pps": .fixed(m.receivedPerSecond, places: 1),
            "drops": m.drops.json,
            "socket_drops": .unsigned(m.drops.socket),
            "other_drops": .unsigned(m.lostElsewhere),
            "passed": .bool(passed),
            "limit": .optional(limit) { .string($0.rawValue) },
            "reason": .string(reason),
        ]
    }
}
