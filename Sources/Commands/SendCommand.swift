#if canImport(Glibc)
import Glibc
#endif
import Engine
import PacketIO
import Plots
import Reporting
import Trials

/// `mpps send [TARGET...]`: send from one or more threads per target and report.
enum SendCommand {
    static let options = [
        OptionSpec("--threads", "N", "sending threads per target, each with at least one flow of its own (default 1)"),
        OptionSpec("--flows", "N", "connected sockets per target, each its own source port and flow, shared round-robin by the threads (default: one per thread)"),
        OptionSpec("--src-port", "PORT", "bind the sending sockets to source ports from PORT: flow j uses PORT+j (the article uses 65400)"),
        OptionSpec("--payload", "BYTES", "UDP payload per datagram (default 32, the article's)"),
        OptionSpec("--payload-pattern", "KIND", "sequence: a header per datagram for loss, order and latency (default, 16+ bytes); zero: the article's all-zero payload",
                   choices: ["sequence", "zero"]),
        OptionSpec("--flow-key", "KEY", "make the flow ids with this key (16 hex digits) rather than a fresh random one, so a receiver started first can be given it (recv --flow-key)"),
        OptionSpec("--batch", "N", "datagrams per sendmmsg call, 1-1024 (default 1024)"),
        OptionSpec("--gso", "N", "UDP GSO: N datagrams per message, 1-128; a call carries batch/N messages (default 1: off)"),
        OptionSpec("--cpus", "LIST", "pin thread i to the i-th CPU of LIST, e.g. 0 or 0-1 (default: unpinned)"),
        OptionSpec("--xdp", "IF", "send through AF_XDP sockets on interface IF (thread i on TX queue i) in frames built once per flow, counted when they left; needs root (CAP_NET_RAW), Linux 5.4+"),
        OptionSpec("--xdp-mode", "MODE", "with --xdp: copy (default) or zerocopy (falls back to copy when the driver refuses)",
                   choices: ["copy", "zerocopy"]),
        OptionSpec("--dst-mac", "MAC", "with --xdp: the destination MAC address of every frame, aa:bb:cc:dd:ee:ff (default: each target's, from the kernel's neighbour table)"),
        OptionSpec("--duration", "SECONDS", "stop after this long, 0.001 to 31536000 (365 days) (default: until Ctrl-C)"),
        OptionSpec("--count", "N", "send exactly N datagrams in total, then stop; 1 to 2^64-1"),
        OptionSpec("--rate", "PPS", "datagrams per second over all threads, 1 to 1G, e.g. 500k or 1.5M (default: as fast as possible)"),
        OptionSpec("--interval", "SECONDS", "seconds between report lines, 0.001 to 31536000 (default 1)"),
        OptionSpec("--json", nil, "print JSON lines instead of text (keys in docs/json.md)"),
        OptionSpec("--quiet", nil, "print only the summary (with --json: the ready line and the summary)"),
        SVGOption.spec("datagrams/s per thread over time"),
        OptionSpec("--server", "HOST[:PORT]", "the receiver runs on the host of this mpps serve, at the targets' port; print its summary beside this sender's, and the account (needs --duration or --count)"),
        OptionSpec("--key-file", "FILE", "with --server: prove the key in FILE, when the server asks for one"),
    ]

    static let help = HelpPage(
        usage: "mpps send [TARGET...] [OPTIONS]",
        about: """
        Send UDP datagrams with sendmmsg to each TARGET (HOST:PORT, default
        127.0.0.1:4321; 127.0.0.1-20:PORT is 127.0.0.1 to 127.0.0.20). Each target
        gets its own threads and flows, each flow a connected socket with its own
        source port, as in the article's sender. A datagram counts once the kernel
        accepted it. ECONNREFUSED (nobody listening yet) is counted, not fatal.
        Send only to hosts you run: loopback, or a namespace of your own.
        """,
        options: options,
        footer: """
        examples:
          mpps send 127.0.0.1:4321 --cpus 0
          mpps send 127.0.0.1:4400 --count 200000 --rate 100k
          mpps send 127.0.0.1:4321 127.0.0.2:4321 --threads 2
          mpps send 127.0.0.1-20:4321 --flows 4
          mpps send 198.18.0.1:4321 --xdp veth1 --count 1000000
        """)

    static func run(_ raw: [String]) throws(RunError) {
        let arguments = try Arguments(raw, options: options, command: "mpps send")
        if arguments.wantsHelp {
            writeOutput(help.text)
            return
        }
        let send = try sendOptions(arguments)
        let monitor = Monitor(interval: try arguments.seconds("--interval") ?? 1,
                              duration: try arguments.seconds("--duration"))
        let json = arguments.flag("--json")
        var server: String?
        var key: [UInt8]?
        try ClientOptions.read(arguments, into: &server, key: &key, exclusive: nil)
        if let server {
            try runWithServer(server, key: key, raw: raw, arguments: arguments, send: send, json: json)
            return
        }
        let quiet = arguments.flag("--quiet")
        let sink: ReportSink = json ? JSONSink(quiet: quiet) : HumanSink(verb: "sent", quiet: quiet)
        let plotting = try SVGOption.output(arguments).map {
            PlottingSink(wrapping: sink, output: $0, title: SVGOption.title, subtitle: [PlotTitle.hostLine])
        }
        try Session.send(send, monitor: monitor, sink: plotting ?? sink) { run in
            let ready = readyLine(run.options)
            // The line on stderr, for people, before the JSON stream's first line, for programs:
            // a program that waits for the ready line then finds the other written too.
            if !quiet { writeError(ready.text) }
            if json { JSONSink.write(ready.json) }
            plotting?.ready(ready.json)
        }
        if let failure = plotting?.failure { throw failure }
    }

    /// What to send, read from the command's options: targets, threads and flows,
    /// payload, batch and GSO, CPUs, count and rate. Each bad value or bad
    /// combination is a usage error that names the option.
    static func sendOptions(_ arguments: Arguments) throws(RunError) -> SendOptions {
        var send = SendOptions()
        if !arguments.positionals.isEmpty {
            var targets: [SocketAddress] = []
            for text in arguments.positionals { targets += try arguments.addresses(text, what: "target") }
            send.targets = targets
        }
        try readFlows(arguments, into: &send)
        try readPayload(arguments, into: &send)
        send.cpus = try arguments.cpus("--cpus")
        try readXDP(arguments, into: &send)
        send.count = try arguments.count("--count")
        send.rate = try arguments.rate("--rate", hint: " (leave --rate out to send as fast as possible)")
        return send
    }

    /// `--threads`, `--flows` and `--src-port`, and whether they fit together.
    private static func readFlows(_ arguments: Arguments, into send: inout SendOptions) throws(RunError) {
        send.threadsPerTarget = try arguments.integer("--threads", in: 1...1024) ?? 1
        guard send.threadCount <= 4096 else {
            throw arguments.usage("\(send.threadCount) sending threads is too many: use at most 4096 (targets × --threads)")
        }
        send.flowsPerTarget = try arguments.integer("--flows", in: 1...4096)
        guard send.flowCount <= 4096 else {
            throw arguments.usage("\(send.flowCount) flows is too many: use at most 4096 (targets × --flows)")
        }
        if let port = try arguments.integer("--src-port", in: 1...65535) { send.sourcePort = UInt16(port) }
        if let problem = send.flowProblem { throw arguments.usage(problem) }
    }

    /// `--payload`, `--payload-pattern`, `--flow-key`, `--batch` and `--gso`, and
    /// whether the datagrams and GSO messages fit the targets' families.
    private static func readPayload(_ arguments: Arguments, into send: inout SendOptions) throws(RunError) {
        send.payload = try arguments.integer("--payload", in: 0...65527) ?? 32
        if let ipv4 = send.targets.first(where: { $0.family == .inet }), send.payload > ipv4.maximumPayload {
            throw arguments.usage("--payload \(send.payload) is too large for IPv4 target \(ipv4): a UDP datagram carries at most 65507 bytes over IPv4 (65527 over IPv6)")
        }
        switch arguments.text("--payload-pattern") ?? "sequence" {
        case "sequence": send.stampsSequence = true
        case "zero": send.stampsSequence = false
        case let other: throw arguments.usage("--payload-pattern must be 'sequence' or 'zero', not '\(other)'")
        }
        if let key = try arguments.flowKeys("--flow-key", most: 1).first { send.flowKey = key }
        send.batch = try arguments.integer("--batch", in: 1...1024, why: " (the kernel's UIO_MAXIOV)") ?? 1024
        send.segments = try arguments.integer("--gso", in: 1...SendBatch.maximumSegments, why: " (the kernel's UDP_MAX_SEGMENTS)") ?? 1
        if send.segments > 1 && send.payload == 0 {
            throw arguments.usage("--gso needs a payload of at least 1 byte: GSO cuts messages into datagrams of --payload bytes")
        }
        let largest = send.targets.map(\.maximumPayload).min() ?? 65507
        if send.segments > 1 && send.segments * send.payload > largest {
            throw arguments.usage("--gso \(send.segments) × --payload \(send.payload) is \(send.segments * send.payload) bytes, more than one GSO message carries (\(largest)): use --gso \(max(1, largest / max(send.payload, 1))) or less")
        }
    }

    /// The ready line of a run with `options`: what it sends, from which CPUs, with which flow key.
    private static func readyLine(_ options: SendOptions) -> SendReady {
        let cpus = options.cpus.map { list in (0..<options.threadCount).map { list.cpus[$0 % list.cpus.count] } }
        let headers = options.stampsSequence && options.payload >= SequenceHeader.size
        return SendReady(targets: options.targets, threads: options.threadCount, flows: options.flowCount,
                         payload: options.payload, headers: headers,
                         batch: options.batch, segments: options.segments, rate: options.rate, count: options.count,
                         cpus: cpus, flowKey: headers ? options.flowKey : nil, processID: getpid())
    }

    /// `--server`: the receiver on the server's host, this sender as a child, both summaries and the account.
    private static func runWithServer(_ server: String, key: [UInt8]?, raw: [String], arguments: Arguments,
                                      send: SendOptions, json: Bool) throws(RunError) {
        guard arguments.text("--duration") != nil || send.count != nil else {
            throw arguments.usage("--server needs --duration or --count: the receiver's summary comes once the sender has ended")
        }
        guard arguments.text("--svg") == nil else {
            throw arguments.usage("--svg and --server exclude each other: save the --json lines and draw the receiver's with mpps plot")
        }
        guard arguments.text("--flow-key") == nil else {
            throw arguments.usage("--flow-key and --server exclude each other: the remote receiver and this sender get one fresh key")
        }
        let ports = Set(send.targets.map(\.port))
        guard ports.count == 1, let port = ports.first, port != 0 else {
            throw arguments.usage("with --server every TARGET must have the same port, not 0: the remote receiver listens on one")
        }
        let seconds = try arguments.seconds("--duration") ?? Arguments.longestSeconds
        try RemoteSend.run(server: server, key: key, sender: ["send"] + ClientOptions.childArguments(raw) + ["--json"],
                           port: port, family: send.targets[0].family, senderSeconds: seconds, json: json)
    }
}
