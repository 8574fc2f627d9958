import PacketIO
import Reporting

/// What `mpps ndr` was asked for.
package struct NDROptions: Sendable {
    /// Where the receiver listens and the sender sends; nil for 127.0.0.1 and a free port
    /// (198.18.0.1:4321 with ``netns``).
    package var target: SocketAddress?
    /// The lowest rate to consider, datagrams per second.
    package var minimum = 10_000.0
    /// The highest rate to consider.
    package var maximum = 1_000_000.0
    /// The largest fraction of datagrams a passing trial may lose.
    package var loss = 0.0
    /// Seconds of sending per trial.
    package var trialSeconds = 2.0
    /// Search trials at most.
    package var steps = 8
    /// UDP GSO segments per message for the sender; nil sends plainly.
    package var gso: Int?
    /// Run in two network namespaces joined by a veth pair.
    package var netns = false
    /// JSON lines instead of text.
    package var json = false

    /// The defaults of `mpps ndr`.
    package init() {}
}

/// `mpps ndr`: an RFC 2544-style throughput search. Each trial is a child
/// receiver and a child sender offering one rate for a fixed count of datagrams;
/// ``NDRSearch`` picks the rates.
package enum NDRRun {
    /// The sender's time limit: a little over the trial, so that a sender that
    /// cannot offer the rate is stopped short of its count and the trial fails.
    package static func senderLimit(_ trialSeconds: Double) -> Double { trialSeconds * 1.05 + 0.05 }

    /// Datagrams in a trial of `rate` for `seconds`.
    package static func count(rate: Double, seconds: Double) -> UInt64 { UInt64(max(1, (rate * seconds).rounded())) }

    /// The receiver's `mpps` arguments.
    package static func receiverArguments(target: String, trialSeconds: Double) -> [String] {
        ["recv", target, "--json", "--duration", LabPlan.secondsText(LabPlan.receiverBound(senderLimit(trialSeconds)))]
    }

    /// The sender's `mpps` arguments for one trial.
    package static func senderArguments(target: String, rate: Double, trialSeconds: Double, gso: Int?) -> [String] {
        ["send", target, "--rate", "\(UInt64(rate))", "--count", "\(count(rate: rate, seconds: trialSeconds))",
         "--duration", LabPlan.secondsText(senderLimit(trialSeconds))]
            + (gso.map { ["--gso", "\($0)"] } ?? []) + ["--json"]
    }

    /// Runs the search and prints each trial and the result.
    package static func run(_ options: NDROptions) throws(RunError) {
        let watch = StopWatch()
        defer { watch.restore() }
        var namespaces: LabNamespaces?
        defer { namespaces?.remove() }
        if options.netns {
            if let reason = LabNamespaces.unavailableReason(command: "mpps ndr") { throw RunError(reason) }
            namespaces = try LabNamespaces(cpus: CPUList.allowed().cpus)
        }
        let target: String
        if let namespaces {
            target = "\(namespaces.receiverAddresses[0]):4321"
        } else if let given = options.target, given.port != 0 {
            target = "\(given)"
        } else {
            let port = try LabRun.freePort()
            target = "\((options.target ?? SocketAddress(ipv4: 127, 0, 0, 1, port: 0)).withPort(port))"
        }
        let place = TrialPlace(executable: ChildProcess.currentExecutable(),
                               receiverNamespace: namespaces?.receiver, senderNamespace: namespaces?.sender)
        let receiver = receiverArguments(target: target, trialSeconds: options.trialSeconds)

        if !options.json {
            writeOutput("mpps ndr: the highest rate \(target) receives with loss at most \(LabReport.percent(options.loss)), "
                + "between \(Units.shortRate(options.minimum)) and \(Units.shortRate(options.maximum)) datagrams/s; "
                + "trials of \(LabPlan.secondsText(options.trialSeconds)) s, at most \(options.steps) search steps\n")
            writeOutput("  $ \(LabReport.commandLine(TrialPlace.argv(receiver, program: "mpps", namespace: place.receiverNamespace)))\n")
            let example = senderArguments(target: target, rate: options.maximum, trialSeconds: options.trialSeconds, gso: options.gso)
            writeOutput("  $ \(LabReport.commandLine(TrialPlace.argv(example, program: "mpps", namespace: place.senderNamespace)))"
                + "   (each trial its own --rate and --count)\n")
        }

        var search = NDRSearch(minimum: options.minimum, maximum: options.maximum, steps: options.steps)
        var trials: [NDRTrial] = []
        while let (rate, phase) = search.next().map({ ($0.rate, $0.phase) }) {
            if watch.check() { break }
            let sender = senderArguments(target: target, rate: rate, trialSeconds: options.trialSeconds, gso: options.gso)
            guard let measurement = try PairTrial.run(receiver: receiver, sender: sender, place: place,
                                                      senderSeconds: senderLimit(options.trialSeconds), watch: watch) else { break }
            let trial = NDRTrial(number: trials.count + 1, phase: phase, offered: rate,
                                 expected: count(rate: rate, seconds: options.trialSeconds),
                                 measurement: measurement, loss: options.loss)
            trials.append(trial)
            writeOutput((options.json ? trial.json : trial.text) + "\n")
            search.record(rate, passed: trial.passed)
        }

        let outcome = NDROutcome(result: search.result, trials: trials, options: options)
        writeOutput(options.json ? outcome.json + "\n" : outcome.text)
    }
}

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

    /// `{"type":"summary","rate":X,"loss":X,"trials":N,...}`
    package var json: String {
        "{\"type\":\"summary\",\"rate\":\(Units.fixed(result?.rate ?? 0, decimals: 1))"
            + ",\"loss\":\(Units.fixed(confirmation?.measurement.lossFraction ?? 0, decimals: 6))"
            + ",\"trials\":\(trials.count),\"confirmed\":\(result?.confirmed ?? false)"
            + ",\"max_loss\":\(Units.fixed(options.loss, decimals: 6))"
            + ",\"min\":\(Units.fixed(options.minimum, decimals: 1)),\"max\":\(Units.fixed(options.maximum, decimals: 1))"
            + ",\"limited_by\":\(limitedBy.map { "\"\($0.rawValue)\"" } ?? "null")"
            + ",\"stop\":\"\(result == nil ? "signal" : "done")\"}"
    }

    private var trialsText: String { trials.count == 1 ? "1 trial" : "\(trials.count) trials" }

    /// The closing lines for people.
    package var text: String {
        guard let result else {
            let best = trials.filter(\.passed).map(\.offered).max()
            return "stopped by a signal after \(trialsText)" + (best.map { "; the best rate that passed was \(LabReport.rate($0))/s, unconfirmed" } ?? "") + "\n"
        }
        let bound = "loss at most \(LabReport.percent(options.loss))"
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
