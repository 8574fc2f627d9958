#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Reporting

/// `mpps lab`: the article's experiments one after another, each a receiver and
/// a sender started as child processes of this very executable, then a table.
package enum LabRun {
    /// Runs every experiment of ``LabPlan`` and prints as each ends. Throws a
    /// set-up error, or after the table when an experiment failed. `record`
    /// gets each experiment's JSON line and the summary's, with or without
    /// `--json` (`lab --svg` draws them).
    package static func run(_ options: LabOptions, capabilities: LabCapabilities,
                            record: (JSONValue) -> Void = { _ in }) throws(RunError) {
        let watch = StopSignalWatch()
        defer { watch.restore() }
        let cpus = try planCPUs(options)
        var namespaces: LabNamespaces?
        // Children end inside PairTrial before this runs; then the namespaces go, on every path out.
        defer { namespaces?.remove() }
        if options.netns {
            if let reason = LabNamespaces.unavailableReason(command: "mpps lab") { throw RunError(reason) }
            if let line = LabNamespaces.removeLeftovers(command: "mpps lab") { writeError(line) }
            // The kernel's receive work goes off the receiving threads' CPUs (LabPlan.kernelWorkNote says where);
            // 4: the several-ips experiment's senders, one per receiver address.
            namespaces = try LabNamespaces(cpus: LabPlan.kernelWorkCPUs(cpus, addresses: 4))
        }
        let setting = try self.setting(options, cpus: cpus, namespaces: namespaces, capabilities: capabilities)
        let experiments = LabPlan.experiments(setting)
        let notes = LabPlan.machineNotes(setting)
        let place = TrialPlace(executable: ChildProcess.currentExecutable(),
                               receiverNamespace: namespaces?.receiver, senderNamespace: namespaces?.sender)
        let start = MonotonicClock.now()
        if !options.json { printPlan(options, experiments: experiments, setting: setting, namespaces: namespaces, notes: notes) }

        var results: [LabResult] = []
        for (index, experiment) in experiments.enumerated() {
            if watch.check() { break }
            guard let outcome = self.outcome(of: experiment, options: options, addresses: setting.addresses,
                                             place: place, watch: watch) else { break }
            let result = LabResult(experiment: experiment,
                                   receiverArgv: TrialPlace.argv(experiment.receiver, program: "mpps", namespace: place.receiverNamespace),
                                   senderArgv: TrialPlace.argv(experiment.sender, program: "mpps", namespace: place.senderNamespace),
                                   outcome: outcome)
            results.append(result)
            record(LabReport.json(result))
            if options.json {
                JSONSink.write(LabReport.json(result))
            } else {
                writeOutput(LabReport.text(result, index: index + 1, count: experiments.count) + "\n")
            }
        }
        let placeName = options.server != nil ? "server" : namespaces == nil ? "loopback" : "netns"
        try finish(results, planned: experiments.count, seconds: Double(MonotonicClock.now() &- start) / 1e9,
                   place: placeName, cpus: cpus, notes: notes, stopped: watch.stopped, json: options.json, record: record)
    }

    /// The CPUs mpps may use here; with `--server`, those the server's host has too,
    /// so that every --cpus a receiver or sender gets exists where it runs.
    static func planCPUs(_ options: LabOptions) throws(RunError) -> [Int] {
        let cpus = CPUList.allowed().cpus
        guard let server = options.server else { return cpus }
        let serverCPUs = try ServeClient(server: server, key: options.key).serverCPUs
        let both = cpus.filter(serverCPUs.contains)
        return both.isEmpty ? cpus : both
    }

    /// The port (given, 4321 in namespaces or with a server, else a free one) and
    /// the receive addresses (the server's targets, the namespace's, or four on loopback).
    static func setting(_ options: LabOptions, cpus: [Int], namespaces: LabNamespaces?,
                        capabilities: LabCapabilities) throws(RunError) -> LabSetting {
        var port: UInt16 = 4321
        if let given = options.port { port = given } else if namespaces == nil && options.server == nil { port = try freePort() }
        let addresses = options.server != nil ? options.targets
            : namespaces?.receiverAddresses ?? ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]
        var setting = LabSetting(seconds: options.seconds, port: port, cpus: cpus, addresses: addresses,
                                 netns: namespaces != nil, capabilities: capabilities)
        setting.useVeth(namespaces)
        return setting
    }

    /// The lines before the first experiment: how many, where, on which CPUs, how long, and the notes.
    static func printPlan(_ options: LabOptions, experiments: [LabExperiment], setting: LabSetting,
                          namespaces: LabNamespaces?, notes: [String]) {
        let where_ = options.server.map { "with the receivers on the host of mpps serve \($0) (\(setting.addresses.joined(separator: ", "))), the senders here" }
            ?? namespaces.map { "in namespaces \($0.sender) (sender) and \($0.receiver) (receiver), veth with \(LabNamespaces.queues) queues" }
            ?? "on loopback"
        let estimate = Double(experiments.filter(\.isAvailable).count) * (options.seconds + 0.6)
        writeOutput("mpps lab: \(experiments.count) experiments of \(LabPlan.secondsText(options.seconds)) s each \(where_), "
            + "CPUs \(CPUList(setting.cpus)); about \(Units.saturating(estimate.rounded(.up))) s\n")
        for note in notes { writeOutput("note: \(note)\n") }
        writeOutput("\n")
    }

    /// Runs one experiment, or says why it was skipped or failed; nil when a stop signal ended it.
    static func outcome(of experiment: LabExperiment, options: LabOptions, addresses: [String],
                        place: TrialPlace, watch: StopSignalWatch) -> LabOutcome? {
        if !experiment.isAvailable {
            return .skipped("not available in this build (needs \(experiment.missing.joined(separator: ", ")))")
        }
        if addresses.count < experiment.addressesNeeded {
            return .skipped("needs \(experiment.addressesNeeded) receive addresses, --target gave \(addresses.count): give more, --target ADDR,ADDR")
        }
        do throws(RunError) {
            guard let measurement = try PairTrial.run(receiver: experiment.receiver, sender: experiment.sender,
                                                      place: place, senderSeconds: options.seconds, watch: watch,
                                                      receiverEnd: options.server.map { RemoteReceiverEnd(server: $0, key: options.key) })
            else { return nil }
            return .measured(measurement)
        } catch {
            return .failed(error.description)
        }
    }

    /// The summary (a JSON line, or the table and a last line), then a failure
    /// when any experiment failed.
    static func finish(_ results: [LabResult], planned: Int, seconds: Double, place: String, cpus: [Int], notes: [String],
                       stopped: Bool, json: Bool, record: (JSONValue) -> Void) throws(RunError) {
        let summary = LabReport.summaryJSON(results, planned: planned, seconds: seconds, place: place,
                                            cpus: cpus, notes: notes, stop: stopped ? "signal" : "done")
        record(summary)
        if json {
            JSONSink.write(summary)
        } else {
            writeOutput(LabReport.table(results))
            if stopped {
                writeOutput("stopped by a signal after \(results.count) of \(planned) experiments\n")
            }
            writeOutput("\(results.count) experiment\(results.count == 1 ? "" : "s") in \(Units.fixed(seconds, decimals: 1)) s\n")
        }
        let failed = results.filter { if case .failed = $0.outcome { return true } else { return false } }.count
        if failed > 0 {
            throw RunError("mpps lab: \(failed) of \(planned) experiments failed (see above)")
        }
    }

    /// A UDP port that was free on every local address a moment ago.
    static func freePort() throws(RunError) -> UInt16 {
        do {
            let socket = try UDPSocket(family: .inet)
            try socket.bind(to: SocketAddress(ipv4: 0, 0, 0, 0, port: 0))
            return try socket.localAddress().port
        } catch {
            throw RunError("cannot find a free UDP port: \(error)")
        }
    }
}
