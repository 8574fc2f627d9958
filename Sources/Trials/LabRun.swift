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
        var cpus = CPUList.allowed().cpus
        if let server = options.server {
            // Plan with the CPUs both hosts have, so every --cpus a receiver or sender gets exists where it runs.
            let serverCPUs = try ServeClient(server: server, key: options.key).serverCPUs
            let both = cpus.filter(serverCPUs.contains)
            if !both.isEmpty { cpus = both }
        }
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
        var port: UInt16 = 4321
        if let given = options.port { port = given } else if namespaces == nil && options.server == nil { port = try freePort() }
        let addresses = options.server != nil ? options.targets
            : namespaces?.receiverAddresses ?? ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]
        var setting = LabSetting(seconds: options.seconds, port: port, cpus: cpus, addresses: addresses,
                                 netns: namespaces != nil, capabilities: capabilities)
        setting.useVeth(namespaces)
        let experiments = LabPlan.experiments(setting)
        let notes = LabPlan.machineNotes(setting)
        let placeName = options.server != nil ? "server" : namespaces == nil ? "loopback" : "netns"
        let place = TrialPlace(executable: ChildProcess.currentExecutable(),
                               receiverNamespace: namespaces?.receiver, senderNamespace: namespaces?.sender)
        let start = MonotonicClock.now()

        if !options.json {
            let where_ = options.server.map { "with the receivers on the host of mpps serve \($0) (\(addresses.joined(separator: ", "))), the senders here" }
                ?? namespaces.map { "in namespaces \($0.sender) (sender) and \($0.receiver) (receiver), veth with \(LabNamespaces.queues) queues" }
                ?? "on loopback"
            let estimate = Double(experiments.filter(\.isAvailable).count) * (options.seconds + 0.6)
            writeOutput("mpps lab: \(experiments.count) experiments of \(LabPlan.secondsText(options.seconds)) s each \(where_), "
                + "CPUs \(CPUList(cpus)); about \(Units.saturating(estimate.rounded(.up))) s\n")
            for note in notes { writeOutput("note: \(note)\n") }
            writeOutput("\n")
        }

        var results: [LabResult] = []
        experiments: for (index, experiment) in experiments.enumerated() {
            if watch.check() { break }
            let receiverArgv = TrialPlace.argv(experiment.receiver, program: "mpps", namespace: place.receiverNamespace)
            let senderArgv = TrialPlace.argv(experiment.sender, program: "mpps", namespace: place.senderNamespace)
            let outcome: LabOutcome
            if !experiment.isAvailable {
                outcome = .skipped("not available in this build (needs \(experiment.missing.joined(separator: ", ")))")
            } else if addresses.count < experiment.addressesNeeded {
                outcome = .skipped("needs \(experiment.addressesNeeded) receive addresses, --target gave \(addresses.count): give more, --target ADDR,ADDR")
            } else {
                do throws(RunError) {
                    guard let measurement = try PairTrial.run(receiver: experiment.receiver, sender: experiment.sender,
                                                              place: place, senderSeconds: options.seconds, watch: watch,
                                                              receiverEnd: options.server.map { RemoteReceiverEnd(server: $0, key: options.key) })
                    else { break experiments }
                    outcome = .measured(measurement)
                } catch {
                    outcome = .failed(error.description)
                }
            }
            let result = LabResult(experiment: experiment, receiverArgv: receiverArgv, senderArgv: senderArgv, outcome: outcome)
            results.append(result)
            record(LabReport.json(result))
            if options.json {
                JSONSink.write(LabReport.json(result))
            } else {
                writeOutput(LabReport.text(result, index: index + 1, count: experiments.count) + "\n")
            }
        }

        let seconds = Double(MonotonicClock.now() &- start) / 1e9
        let stop = watch.stopped ? "signal" : "done"
        let summary = LabReport.summaryJSON(results, planned: experiments.count, seconds: seconds, place: placeName,
                                            cpus: cpus, notes: notes, stop: stop)
        record(summary)
        if options.json {
            JSONSink.write(summary)
        } else {
            writeOutput(LabReport.table(results))
            if watch.stopped {
                writeOutput("stopped by a signal after \(results.count) of \(experiments.count) experiments\n")
            }
            writeOutput("\(results.count) experiment\(results.count == 1 ? "" : "s") in \(Units.fixed(seconds, decimals: 1)) s\n")
        }
        let failed = results.filter { if case .failed = $0.outcome { return true } else { return false } }.count
        if failed > 0 {
            throw RunError("mpps lab: \(failed) of \(experiments.count) experiments failed (see above)")
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
