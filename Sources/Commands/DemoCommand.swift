
import Engine
import PacketIO
import Reporting

/// `mpps demo`: three short stages, each a sender and a receiver in one process
/// on loopback, each closing with an account of every datagram: sent = received + lost.
enum DemoCommand {
    static let options = [
        OptionSpec("--seconds", "SECONDS", "how long to send in each stage, 0.001 to 31536000 (default 3)"),
        OptionSpec("--rate", "PPS", "datagrams per second, 1 to 1G, e.g. 500k (default: as fast as possible)"),
        OptionSpec("--json", nil, "print JSON lines instead of text"),
    ]

    static let help = HelpPage(
        usage: "mpps demo [OPTIONS]",
        about: """
        Three stages, each receiving on 127.0.0.1 (a free port) with one thread while
        one thread sends 32-byte datagrams to it, each pinned to its own CPU when
        there are two: (1) the article's plain loop, (2) the same receiver fed by a
        GSO sender, its own limit, (3) UDP GRO on the receiver. Each stage prints
        the receiver's line every second with where the CPU time went, its summary,
        and where any lost datagram went. Nothing leaves the machine.
        """,
        options: options)

    static func run(_ raw: [String]) throws(RunError) {
        let arguments = try Arguments(raw, options: options, command: "mpps demo")
        if arguments.wantsHelp {
            writeOutput(help.text)
            return
        }
        guard arguments.positionals.isEmpty else {
            throw arguments.usage("takes no positional arguments, got '\(arguments.positionals[0])'")
        }
        let seconds = try arguments.seconds("--seconds") ?? 3
        let rate = try arguments.rate("--rate")
        let json = arguments.flag("--json")
        var rates: [(name: String, received: Double)] = []
        for (index, stage) in DemoStage.all.enumerated() {
            if json {
                JSONSink.write(["type": "stage", "number": .int(index + 1), "name": .string(stage.name), "shows": .string(stage.shows)])
            } else {
                writeOutput((index > 0 ? "\n" : "") + "stage \(index + 1)/\(DemoStage.all.count) \(stage.name): \(stage.shows)\n")
            }
            let summary = try run(stage, seconds: seconds, rate: rate, json: json)
            rates.append((stage.name, summary.meanPacketsPerSecond))
        }
        if !json {
            writeOutput("\nreceived by one thread: " + rates.map { "\($0.name) " + Units.fixed($0.received / 1e6, decimals: 3) + "M" }
                .joined(separator: ", ") + " datagrams/s\n")
        }
    }

    /// Runs one stage and prints its lines, summary and account; returns the receiver's summary.
    static func run(_ stage: DemoStage, seconds: Double, rate: Double?, json: Bool) throws(RunError) -> RunSummary {
        let allowed = CPUList.allowed().cpus
        var receive = ReceiveOptions()
        receive.address = SocketAddress(ipv4: 127, 0, 0, 1, port: 0)
        receive.receiveBuffer = RecvCommand.defaultReceiveBuffer
        receive.coalescing = stage.coalescing
        var send = SendOptions()
        send.rate = rate
        send.segments = stage.segments
        if allowed.count >= 2 {
            send.cpus = CPUList([allowed[0]])
            receive.cpus = CPUList([allowed[1]])
        }

        // Only the demo's own sender's flows count, whatever else reaches the port.
        receive.flowKeys = [send.flowKey]

        let signals = Syscalls.takeStopSignals()
        defer { Syscalls.restoreSignals(signals) }
        let receiver = try ReceiveRun(receive)
        send.targets = [receiver.boundAddress]
        let sender = try SendRun(send)
        if !json {
            let placement = allowed.count >= 2 ? "sender on CPU \(allowed[0]), receiver on CPU \(allowed[1])" : "one CPU shared"
            writeError("mpps demo: 32-byte datagrams to \(receiver.boundAddress) for \(Units.fixed(seconds, decimals: 1)) s, "
                + "\(placement), receive buffer \(receiver.grantedReceiveBuffer) bytes"
                + (stage.segments > 1 ? ", GSO \(stage.segments)" : "") + (receiver.options.coalescing ? ", GRO" : ""))
        }
        try receiver.start()
        do throws(RunError) { try sender.start() } catch {
            receiver.stop()
            throw error
        }
        let sink: ReportSink = json ? JSONSink() : HumanSink(verb: "received")
        var summary = Monitor(interval: 1, duration: seconds).run(
            counters: receiver.counters, control: receiver.control, finished: { sender.isFinished },
            stopWorkers: {
                sender.stop()
                drain(receiver)
                receiver.stop()
            }, sink: sink, sampler: receiver.sampler(), cpuSampler: receiver.cpuSampler, receiving: true,
            // 127.0.0.1: the kernel delivers in the sending thread's context, on its CPU.
            delivery: receiver.options.delivery)
        summary.sequences = receiver.sequenceReport()
        sink.summary(summary)
        if let failure = sender.control.failureMessage ?? receiver.control.failureMessage { throw RunError(failure) }
        // The same account the trials of mpps lab and mpps ndr keep: sent = received + lost, by cause.
        let account = LossAccount(sent: sender.counters.total().packets, receiver: summary, coalescing: receiver.options.coalescing)
        if json { JSONSink.write(account.json) } else { writeOutput(account.text) }
        return summary
    }

    /// Waits until the receiver has read what is queued: its sockets' queues are
    /// empty (SO_MEMINFO), or, where that cannot be read, its count stops moving
    /// for 50 ms; at most 3 seconds. A quiet count alone is not enough: a
    /// receiving thread descheduled for 50 ms by a busy machine left datagrams
    /// in the queue that the account then called lost elsewhere.
    static func drain(_ receiver: ReceiveRun) {
        let deadline = MonotonicClock.now() &+ 3_000_000_000
        var last = receiver.counters.total().packets
        while MonotonicClock.now() < deadline {
            MonotonicClock.sleep(until: MonotonicClock.now() &+ 20_000_000)
            let now = receiver.counters.total().packets
            if let queued = receiver.queuedBytes() {
                if queued == 0 { return }
            } else if now == last {
                return
            }
            last = now
        }
    }
}
