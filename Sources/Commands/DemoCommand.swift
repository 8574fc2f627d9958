
import Engine
import PacketIO
import Reporting

/// `mpps demo`: a sender and a receiver in one process on loopback for a few
/// seconds, then an account of every datagram: sent = received + lost.
enum DemoCommand {
    static let options = [
        OptionSpec("--seconds", "SECONDS", "how long to send (default 3)"),
        OptionSpec("--rate", "PPS", "datagrams per second, e.g. 500k (default: as fast as possible)"),
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

        let mask = Monitor.blockStopSignals()
        defer { Monitor.restoreSignals(mask) }
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
        let account = Account(sent: sender.counters.total().packets, received: summary.total.packets,
                              socketDrops: summary.host?.socketDrops, sequenceLost: summary.sequences?.lost)
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

/// Where the demo's datagrams went: sent = received + lost, and what the
/// kernel and the sequence numbers say about the lost ones.
struct Account {
    let sent: UInt64
    let received: UInt64
    /// Drops the kernel counted at the receiving socket (SO_MEMINFO), when readable.
    let socketDrops: UInt64?
    /// Datagrams the sequence numbers show missing, when headers were sent.
    let sequenceLost: UInt64?

    var lost: UInt64 { sent > received ? sent - received : 0 }

    var text: String {
        var text = "account: \(sent) sent = \(received) received + \(lost) lost\n"
        guard lost > 0 else { return text }
        if let sequenceLost {
            text += "         the sequence numbers miss \(sequenceLost)\n"
        }
        if let socketDrops {
            text += "         the kernel dropped \(socketDrops) at the receiving socket because its buffer was full:"
                + " the receiving thread did not keep up\n"
        }
        return text
    }

    var json: JSONValue {
        ["type": "account", "sent": .unsigned(sent), "received": .unsigned(received), "lost": .unsigned(lost),
         "socket_drops": .optional(socketDrops) { .unsigned($0) }, "sequence_lost": .optional(sequenceLost) { .unsigned($0) }]
    }
}
