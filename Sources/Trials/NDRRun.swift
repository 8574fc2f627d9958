import PacketIO
import Reporting

/// `mpps ndr`: an RFC 2544-style throughput search. Each trial is a child
/// receiver and a child sender offering one rate for a fixed count of datagrams;
/// ``NDRSearch`` picks the rates.
package enum NDRRun {
    /// The sender's time limit: a little over the trial, so that a sender that
    /// cannot offer the rate is stopped short of its count and the trial fails.
    package static func senderLimit(_ trialSeconds: Double) -> Double { trialSeconds * 1.05 + 0.05 }

    /// Datagrams in a trial of `rate` for `seconds`.
    package static func count(rate: Double, seconds: Double) -> UInt64 { max(1, Units.saturating((rate * seconds).rounded())) }

    /// The receiver's `mpps` arguments.
    package static func receiverArguments(target: String, trialSeconds: Double) -> [String] {
        ["recv", target, "--json", "--duration", LabPlan.secondsText(LabPlan.receiverBound(senderLimit(trialSeconds)))]
    }

    /// The sender's `mpps` arguments for one trial.
    package static func senderArguments(target: String, rate: Double, trialSeconds: Double, gso: Int?) -> [String] {
        // The rate as the search chose it: below 100 it may have a fraction (a --min of 2.5), which a whole number would drop.
        ["send", target, "--rate", Units.plain(rate), "--count", "\(count(rate: rate, seconds: trialSeconds))",
         "--duration", LabPlan.secondsText(senderLimit(trialSeconds))]
            + (gso.map { ["--gso", "\($0)"] } ?? []) + ["--json"]
    }

    /// Runs the search and prints each trial and the result. `record` gets each
    /// trial's JSON line and the summary's, with or without `--json` (`ndr --svg` draws them).
    package static func run(_ options: NDROptions, record: (JSONValue) -> Void = { _ in }) throws(RunError) {
        let watch = StopSignalWatch()
        defer { watch.restore() }
        var namespaces: LabNamespaces?
        defer { namespaces?.remove() }
        if options.netns {
            if let reason = LabNamespaces.unavailableReason(command: "mpps ndr") { throw RunError(reason) }
            if let line = LabNamespaces.removeLeftovers(command: "mpps ndr") { writeError(line) }
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
        // A remote receiver listens on every address of its host, at TARGET's port: TARGET is how this host reaches it.
        let listen = options.server == nil ? target
            : "\(SocketAddress.wildcard(options.target?.family ?? .inet, port: options.target?.port ?? 4321))"
        let receiver = receiverArguments(target: listen, trialSeconds: options.trialSeconds)

        if !options.json {
            writeOutput("mpps ndr: the highest rate \(target) receives with loss at most \(Units.percent(options.loss)), "
                + "between \(Units.shortRate(options.minimum)) and \(Units.shortRate(options.maximum)) datagrams/s; "
                + "trials of \(LabPlan.secondsText(options.trialSeconds)) s, at most \(options.steps) search steps\n")
            let host = options.server.map { "(on \($0)) " } ?? ""
            writeOutput("  $ \(host)\(LabReport.commandLine(TrialPlace.argv(receiver, program: "mpps", namespace: place.receiverNamespace)))\n")
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
                                                      senderSeconds: senderLimit(options.trialSeconds), watch: watch,
                                                      receiverEnd: options.server.map { RemoteReceiverEnd(server: $0, key: options.key) }) else { break }
            let trial = NDRTrial(number: trials.count + 1, phase: phase, offered: rate,
                                 expected: count(rate: rate, seconds: options.trialSeconds),
                                 measurement: measurement, loss: options.loss)
            trials.append(trial)
            record(trial.json)
            if options.json { JSONSink.write(trial.json) } else { writeOutput(trial.text + "\n") }
            search.record(rate, passed: trial.passed)
        }

        let outcome = NDROutcome(result: search.result, trials: trials, options: options)
        record(outcome.json)
        if options.json { JSONSink.write(outcome.json) } else { writeOutput(outcome.text) }
    }
}
