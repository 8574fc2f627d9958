
import Engine
import PacketIO
import Reporting

/// `mpps demo`: a sender and a receiver in one process on loopback for a few
/// seconds, then an account of every datagram: sent = received + lost.
enum DemoCommand {
    static let options = [
        OptionSpec("--seconds", "SECONDS", "how long to send, 0.001 to 31536000 (default 3)"),
        OptionSpec("--rate", "PPS", "datagrams per second, 1 to 1G, e.g. 500k (default: as fast as possible)"),
        OptionSpec("--json", nil, "print JSON lines instead of text"),
    ]

    static let help = Arguments.help(
        usage: "mpps demo [OPTIONS]",
        about: """
        Receive on 127.0.0.1 (a free port) with one thread while one thread sends
        32-byte datagrams to it, each pinned to its own CPU when there are two.
        Prints the receiver's line every second, its summary, and where any lost
        datagram went. Nothing leaves the machine.
        """,
        options: options)

    static func run(_ raw: [String]) throws(RunError) {
        let arguments = try Arguments(raw, options: options, command: "mpps demo")
        if arguments.wantsHelp {
            writeOutput(help)
            return
        }
        guard arguments.positionals.isEmpty else {
            throw arguments.usage("takes no positional arguments, got '\(arguments.positionals[0])'")
        }
        let seconds = try arguments.seconds("--seconds") ?? 3
        let json = arguments.flag("--json")
        let allowed = CPUList.allowed().cpus

        var receive = ReceiveOptions()
        receive.address = SocketAddress(ipv4: 127, 0, 0, 1, port: 0)
        receive.receiveBuffer = RecvCommand.defaultReceiveBuffer
        var send = SendOptions()
        send.rate = try arguments.rate("--rate")
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
                + "\(placement), receive buffer \(receiver.grantedReceiveBuffer) bytes")
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
            }, sink: sink, sampler: receiver.sampler())
        summary.sequences = receiver.sequenceReport()
        sink.summary(summary)
        if let failure = sender.control.failureMessage ?? receiver.control.failureMessage { throw RunError(failure) }
        // The same account the trials of mpps lab and mpps ndr keep: sent = received + lost, by cause.
        let account = LossAccount(sent: sender.counters.total().packets, receiver: summary)
        if json { JSONSink.write(account.json) } else { writeOutput(account.text) }
    }

    /// Waits until the receiver has read what is queued: its count stops moving
    /// for 50 ms, or one second passes.
    static func drain(_ receiver: ReceiveRun) {
        let deadline = MonotonicClock.now() &+ 1_000_000_000
        var last = receiver.counters.total().packets
        while MonotonicClock.now() < deadline {
            MonotonicClock.sleep(until: MonotonicClock.now() &+ 50_000_000)
            let now = receiver.counters.total().packets
            if now == last { return }
            last = now
        }
    }
}
