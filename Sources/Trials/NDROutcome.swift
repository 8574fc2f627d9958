import PacketIO
import Reporting

/// The end of a search, in words and as the summary object.
package struct NDROutcome: Sendable {
    /// The search's answer; nil when a signal stopped it first.
    package var result: NDRSearch.Result?
    /// Every trial, in order.
    package var trials: [NDRTrial]
    /// What was asked.
    package var options: NDROptions

    /// Creates an outcome.
    package init(result: NDRSearch.Result?, trials: [NDRTrial], options: NDROptions) {
        self.result = result
        self.trials = trials
        self.options = options
    }

    /// What stopped the rates above the result: the limit of the lowest failing trial.
    package var limitedBy: NDRTrial.Limit? {
        trials.filter { !$0.passed }.min { $0.offered < $1.offered }?.limit
    }

    /// The confirming trial that decided the result, if any.
    var confirmation: NDRTrial? {
        guard let result, result.confirmed else { return nil }
        return trials.last { $0.phase == .confirm && $0.offered == result.rate && $0.passed }
    }

    /// The search's last JSON line (`mpps ndr --json`), keys in this order: `type` (`"summary"`), `rate`
    /// (the result, 1 decimal; 0 when none held), `loss` (the confirming trial's, 6 decimals), `trials`,
    /// `confirmed`, `max_loss` (`--loss`), `min`, `max` (`--min`, `--max`), `limited_by` (the limit of the
    /// lowest rate that failed: `loss`, `sender`, or null), `stop` (`done` or `signal`).
    package var json: JSONValue {
        [
            "type": "summary",
            "rate": .fixed(result?.rate ?? 0, places: 1),
            "loss": .fixed(confirmation?.measurement.lossFraction ?? 0, places: 6),
            "trials": .int(trials.count),
            "confirmed": .bool(result?.confirmed ?? false),
            "max_loss": .fixed(options.loss, places: 6),
            "min": .fixed(options.minimum, places: 1),
            "max": .fixed(options.maximum, places: 1),
            "limited_by": .optional(limitedBy) { .string($0.rawValue) },
            "stop": .string(result == nil ? "signal" : "done"),
        ]
    }

    private var trialsText: String { trials.count == 1 ? "1 trial" : "\(trials.count) trials" }

    /// The closing lines for people.
    package var text: String {
        guard let result else {
            let best = trials.filter(\.passed).map(\.offered).max()
            return "stopped by a signal after \(trialsText)" + (best.map { "; the best rate that passed was \(LabReport.rate($0))/s, unconfirmed" } ?? "") + "\n"
        }
        let bound = "loss at most \(Units.percent(options.loss))"
        guard result.rate > 0 else {
            if trials.contains(where: { $0.phase == .confirm }) {
                return "result: 0 — no rate held: every rate that passed once lost more on its confirming trial (\(trialsText))\n"
            }
            let lowest = trials.min { $0.offered < $1.offered }
            return "result: 0 — no rate without loss: even --min \(Units.shortRate(options.minimum)) failed"
                + (lowest.map { " (\($0.reason))" } ?? "") + " (\(trialsText))\n"
        }
        var text = "result: \(LabReport.rate(result.rate)) datagrams/s with \(bound), confirmed by a second trial (\(trialsText))\n"
        if result.rate >= options.maximum {
            text += "  every rate up to --max passed: raise --max to look higher\n"
        } else {
            switch limitedBy {
            case .sender where options.gso == nil:
                text += "  above it the sender could not offer the rate (a plain sendmmsg sender is the limit on loopback):"
                    + " try --gso 16 to find the receiver's limit\n"
            case .sender:
                text += "  above it the sender could not offer the rate even with GSO: the result is the sender's limit, not the receiver's\n"
            case .loss:
                text += "  above it the receiver lost datagrams: see each trial for where\n"
            case nil: break
            }
        }
        return text
    }
}
