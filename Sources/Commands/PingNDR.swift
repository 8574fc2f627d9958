import Engine
import PacketIO
import Reporting
import Trials

/// `mpps ping --ndr`: the highest request rate whose replies come back with loss
/// within `--loss` and p99 RTT (from the intended send time) within `--p99`,
/// confirmed by a second trial: `NDRSearch` (the search of `mpps ndr`) fed with
/// open-loop ping trials, each a `PingSession` of `--trial` seconds.
enum PingNDR {
    /// The search's bounds and verdict, as the command line gives them.
    struct Bounds {
        var minimum = 1000.0
        var maximum = 1e6
        var steps = 8
        var trialSeconds = 2.0
        var loss = 0.001
        var p99Microseconds = 1000.0
    }

    /// One trial's verdict: passed when loss and p99 are within the bounds.
    struct Trial {
        let number: Int
        let phase: NDRSearch.Phase
        let rate: Double
        let summary: PingSummary
        let bounds: Bounds

        var lost: UInt64 { summary.loss.total }
        var loss: Double { summary.totals[.sent] > 0 ? Double(lost) / Double(summary.totals[.sent]) : 1 }
        var p99: Double? { summary.totals.intended.percentile(0.99).map { Double($0) / 1000 } }
        var passed: Bool {
            summary.reason != .signal && summary.totals[.sent] > 0 && loss <= bounds.loss
                && (p99.map { $0 <= bounds.p99Microseconds } ?? false)
        }

        var json: JSONValue {
            ["type": "trial", "number": .int(number), "phase": .string(phase.rawValue), "rate": .fixed(rate, places: 1),
             "sent": .unsigned(summary.totals[.sent]), "replies": .unsigned(summary.totals[.replies]), "lost": .unsigned(lost),
             "loss": .fixed(loss, places: 6), "p99_us": .optional(p99) { .fixed($0, places: 1) }, "passed": .bool(passed)]
        }

        var text: String {
            "trial \(number) (\(phase.rawValue)): \(Units.shortRate(rate)) requests/s: sent \(summary.totals[.sent]), "
                + "lost \(lost) (\(Units.fixed(loss * 100, decimals: 3))%), p99 \(p99.map { Units.fixed($0, decimals: 1) } ?? "-") µs: "
                + (passed ? "passed" : "failed")
        }
    }

    /// Runs the search and prints each trial and the answer.
    static func run(_ options: PingOptions, bounds: Bounds, json: Bool) throws(RunError) {
        var search = NDRSearch(minimum: bounds.minimum, maximum: bounds.maximum, steps: bounds.steps)
        var number = 0
        while let (rate, phase) = search.next().map({ ($0.rate, $0.phase) }) {
            var trialOptions = options
            trialOptions.rate = rate
            trialOptions.count = nil
            let summary = try PingSession.run(trialOptions, interval: bounds.trialSeconds, duration: bounds.trialSeconds,
                                              announce: { _ in }, report: { _ in }, summary: { _ in })
            number += 1
            let trial = Trial(number: number, phase: phase, rate: rate, summary: summary, bounds: bounds)
            if json { JSONSink.write(trial.json) } else { writeOutput(trial.text + "\n") }
            if summary.reason == .signal || summary.reason == .outputClosed { break }
            search.record(rate, passed: trial.passed)
        }
        let result = search.result
        let answer: JSONValue = ["type": "ndr", "rate": .optional(result?.rate) { .fixed($0, places: 1) },
                                 "confirmed": .bool(result?.confirmed ?? false), "trials": .int(number),
                                 "loss_bound": .fixed(bounds.loss, places: 6), "p99_bound_us": .fixed(bounds.p99Microseconds, places: 1)]
        if json {
            JSONSink.write(answer)
        } else if let result, result.rate > 0 {
            writeOutput("ndr: \(Units.shortRate(result.rate)) requests/s with loss ≤ \(Units.plain(bounds.loss * 100))% and "
                + "p99 ≤ \(Units.plain(bounds.p99Microseconds)) µs\(result.confirmed ? ", confirmed" : "") (\(number) trials)\n")
        } else {
            writeOutput("ndr: no rate from \(Units.shortRate(bounds.minimum)) requests/s up kept loss ≤ "
                + "\(Units.plain(bounds.loss * 100))% and p99 ≤ \(Units.plain(bounds.p99Microseconds)) µs (\(number) trials)\n")
        }
    }
}
