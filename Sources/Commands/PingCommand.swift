#if canImport(Glibc)
import Glibc
#endif
import Engine
import PacketIO
import Reporting
import Trials

/// `mpps ping [TARGET]`: requests to an echo, RTT measured honestly.
enum PingCommand {
    static let options = [
        OptionSpec("--rate", "RPS", "open loop: requests per second over all threads, sent on schedule whether or not replies came, 1 to 1G (default 1000 when --inflight is not given)"),
        OptionSpec("--inflight", "N", "requests in flight per flow, 1-1024: without --rate a closed loop (the next request goes when a reply comes back or --timeout passes; 1 is sockperf's ping-pong); with --rate a cap on the open loop"),
        OptionSpec("--timeout", "SECONDS", "a reply later than this from its request's send time is late, and its request lost, 0.001 to 60 (default 1)"),
        OptionSpec("--threads", "N", "pinging threads, each with its flows and their share of the rate and count, 1-64 (default 1)"),
        OptionSpec("--flows", "N", "flows, each its own socket and source port with its own sequence numbers, account and share of the rate and count, shared round-robin by the threads, --threads to 4096 (default: one per thread)"),
        OptionSpec("--payload", "BYTES", "UDP payload per request, 32 (the header) to 65507 (65527 over IPv6) (default 32; with --sockperf 46, both headers)"),
        OptionSpec("--cpus", "LIST", "pin thread i to the i-th CPU of LIST, e.g. 0 or 0-1 (default: unpinned)"),
        OptionSpec("--duration", "SECONDS", "stop sending after this long, 0.001 to 31536000 (365 days) (default: until Ctrl-C, or --count)"),
        OptionSpec("--count", "N", "send N requests over all threads, then wait for their replies (at most --timeout) and stop; 1 to 2^64-1"),
        OptionSpec("--interval", "SECONDS", "seconds between report lines, 0.001 to 31536000 (default 1)"),
        OptionSpec("--ndr", nil, "search for the highest rate (open loop) whose replies come back with loss within --loss and p99 RTT within --p99, confirmed by a second trial"),
        OptionSpec("--loss", "FRACTION", "with --ndr: the most loss a trial may have, 0 to 1 (default 0.001)"),
        OptionSpec("--p99", "MICROSECONDS", "with --ndr: the highest p99 RTT (from the intended send time) a trial may have, 1 to 10000000 (default 1000)"),
        OptionSpec("--min-rate", "RPS", "with --ndr: the lowest rate tried (default 1000)"),
        OptionSpec("--max-rate", "RPS", "with --ndr: the highest rate tried, first (default 1M)"),
        OptionSpec("--steps", "N", "with --ndr: search trials at most, 1-30 (default 8), before the confirming one"),
        OptionSpec("--trial", "SECONDS", "with --ndr: the length of each trial, 0.1 to 3600 (default 2)"),
        OptionSpec("--server", "HOST[:PORT]", "the echo runs on the host of this mpps serve, listening on every address at TARGET's port (TARGET defaults to HOST:4321); its summary is printed, and its counts split the lost requests"),
        OptionSpec("--key-file", "FILE", "with --server: prove the key in FILE, when the server asks for one"),
        OptionSpec("--echo-options", "OPTIONS", "with --server: mpps echo's options for the remote echo, one string, e.g. '--cpus 1 --rcvbuf 8M' (those mpps serve allows: \(ServeCommand.echoClientOptions.sorted().joined(separator: " ")))"),
        OptionSpec("--sockperf", nil, "start each request with sockperf's 14-byte header (a client's message asking for a reply, its sequence and length), ping's header after it, so that sockperf sr (or mpps echo --sockperf) answers; a reply counts only if that header comes back with just the client flag cleared"),
        OptionSpec("--json", nil, "print JSON lines instead of text (schema in docs/echo-and-ping.md)"),
        OptionSpec("--quiet", nil, "print only the summary (with --json: the ready line and the summary)"),
    ]

    static let help = HelpPage(
        usage: "mpps ping [TARGET] [OPTIONS]",
        about: """
        Send requests to an echo at TARGET (HOST:PORT, default 127.0.0.1:4321: mpps echo,
        any server that returns a datagram's bytes, or with --sockperf sockperf sr) and
        measure each round trip. In an open loop (--rate) every request carries the time
        it was meant to go, and RTT is measured from that intended time as well as from
        the time it went, so a stall in the echo or the network cannot hide (coordinated
        omission). Every request is accounted for: sent = replies + lost (send errors,
        late, never answered); datagrams from strangers, forged ones and duplicates
        complete nothing.
        """,
        options: options,
        footer: """
        examples:
          mpps ping 127.0.0.1:4321 --rate 100k --duration 10 --cpus 0
          mpps ping 127.0.0.1:4321 --inflight 1 --count 100k      (ping-pong)
          mpps ping 127.0.0.1:4321 --rate 1000 --inflight 4       (wrk2-style: a schedule and a cap)
          mpps ping [::1]:4400 --json --duration 6
          mpps ping 127.0.0.1:4321 --threads 2 --flows 8 --rate 200k   (8 source ports, for an echo with --reuseport)
          mpps ping 127.0.0.1:4321 --ndr --loss 0.001 --p99 500 --max-rate 500k
          mpps ping 127.0.0.1:11111 --sockperf --inflight 1 --count 100k   (against sockperf sr)
          mpps ping --server 198.18.0.2 --inflight 1 --count 100k --echo-options '--cpus 1'
        """)

    static func run(_ raw: [String]) throws(RunError) {
        let arguments = try Arguments(raw, options: options, command: "mpps ping")
        if arguments.wantsHelp {
            writeOutput(help.text)
            return
        }
        let remote = try RemotePing.Request(arguments)
        let ping = try pingOptions(arguments, server: remote?.server)
        let json = arguments.flag("--json")
        if let bounds = try ndrBounds(arguments) {
            if remote != nil { throw arguments.usage("--ndr and --server exclude each other: start mpps echo there and search against it") }
            try PingNDR.run(ping, bounds: bounds, json: json)
            return
        }
        let printer = Printer(json: json, quiet: arguments.flag("--quiet"))
        let interval = try arguments.seconds("--interval") ?? 1
        let duration = try arguments.seconds("--duration")
        if let remote {
            try RemotePing.run(ping, remote, interval: interval, duration: duration, printer: printer)
            return
        }
        try PingSession.run(ping, interval: interval, duration: duration, announce: printer.ready,
                            report: printer.interval, summary: printer.summary)
    }

    /// Where a ping's lines go: JSON lines or lines for people; only the summary (and the JSON ready line) when quiet.
    struct Printer {
        let json: Bool
        let quiet: Bool

        func ready(_ run: PingRun) {
            let options = run.options
            let ready = PingReady(target: options.target, threads: options.threads, flows: options.flowCount, rate: options.rate,
                                  inflight: options.inflight, timeout: options.timeoutSeconds, payload: options.payload,
                                  sockperf: options.sockperf,
                                  count: options.count, cpus: options.cpus.map { list in (0..<options.threads).map { list.cpus[$0 % list.cpus.count] } },
                                  processID: getpid())
            if !quiet { writeError(ready.text) }
            if json { JSONSink.write(ready.json) }
        }

        func interval(_ interval: PingInterval) {
            guard !quiet else { return }
            if json { JSONSink.write(interval.json) } else { writeOutput(interval.text + "\n") }
        }

        func summary(_ summary: PingSummary) {
            if json { JSONSink.write(summary.json) } else { writeOutput(summary.text + "\n") }
        }
    }

    /// The options a command line gives, each checked; with `--server`, TARGET defaults to
    /// the server's host at port 4321.
    static func pingOptions(_ arguments: Arguments, server: String? = nil) throws(RunError) -> PingOptions {
        var ping = PingOptions()
        guard arguments.positionals.count <= 1 else {
            throw arguments.usage("expected at most one TARGET, got \(arguments.positionals.count)")
        }
        if let text = arguments.positionals.first {
            ping.target = try arguments.address(text, what: "target")
        } else if let server {
            ping.target = try ServeClient.address(server).withPort(ping.target.port)
        }
        guard ping.target.port != 0 else { throw arguments.usage("TARGET needs a port other than 0, such as 127.0.0.1:4321") }
        guard ping.target != .wildcard(ping.target.family, port: ping.target.port) else {
            throw arguments.usage("TARGET must be an address a reply can come from, not \(ping.target.hostDescription): use 127.0.0.1 or the echo's address")
        }
        ping.threads = try arguments.integer("--threads", in: 1...64) ?? 1
        ping.flows = try arguments.integer("--flows", in: 1...PingOptions.mostFlows)
        if let problem = ping.flowProblem { throw arguments.usage(problem) }
        ping.inflight = try arguments.integer("--inflight", in: 1...1024)
        let rate = try arguments.rate("--rate")
        ping.rate = rate ?? (ping.inflight == nil ? 1000 : nil)
        ping.timeoutSeconds = try arguments.seconds("--timeout", maximum: 60) ?? 1
        ping.sockperf = arguments.flag("--sockperf")
        let smallest = PingOptions.smallestPayload(sockperf: ping.sockperf)
        let why = ping.sockperf ? " (with --sockperf: sockperf's header, 14, then ping's, 32)" : " (the header is 32)"
        ping.payload = try arguments.integer("--payload", in: smallest...65527, why: why) ?? smallest
        if ping.payload > ping.target.maximumPayload {
            throw arguments.usage("--payload \(ping.payload) is too large for IPv4 target \(ping.target): a UDP datagram carries at most 65507 bytes over IPv4")
        }
        ping.cpus = try arguments.cpus("--cpus")
        ping.count = try arguments.count("--count")
        return ping
    }

    /// `--ndr` and its bounds; nil without `--ndr` (and then none of them may be given).
    static func ndrBounds(_ arguments: Arguments) throws(RunError) -> PingNDR.Bounds? {
        let own = ["--loss", "--p99", "--min-rate", "--max-rate", "--steps", "--trial"]
        guard arguments.flag("--ndr") else {
            if let given = own.first(where: { arguments.text($0) != nil }) { throw arguments.usage("\(given) goes with --ndr") }
            return nil
        }
        for excluded in ["--rate", "--count", "--duration"] where arguments.text(excluded) != nil {
            throw arguments.usage("--ndr and \(excluded) exclude each other: the search chooses each trial's rate and length (--trial)")
        }
        var bounds = PingNDR.Bounds()
        bounds.loss = try arguments.fraction("--loss") ?? bounds.loss
        bounds.p99Microseconds = Double(try arguments.integer("--p99", in: 1...10_000_000) ?? 1000)
        bounds.minimum = try arguments.rate("--min-rate") ?? bounds.minimum
        bounds.maximum = try arguments.rate("--max-rate") ?? bounds.maximum
        guard bounds.minimum <= bounds.maximum else {
            throw arguments.usage("--min-rate \(Units.shortRate(bounds.minimum)) is above --max-rate \(Units.shortRate(bounds.maximum))")
        }
        bounds.steps = try arguments.integer("--steps", in: 1...30) ?? bounds.steps
        bounds.trialSeconds = try arguments.seconds("--trial", minimum: 0.1, maximum: 3600) ?? bounds.trialSeconds
        return bounds
    }
}
