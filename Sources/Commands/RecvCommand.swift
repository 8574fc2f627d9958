#if canImport(Glibc)
import Glibc
#endif
import HostStats
import Reporting
import Engine
import Metrics
import Plots
import PacketIO

/// `mpps recv [ADDR:PORT]`: receive with one or more threads and report.
enum RecvCommand {
    static let options = [
        OptionSpec("--threads", "N", "receiving threads (default 1)"),
        OptionSpec("--reuseport", nil, "one SO_REUSEPORT socket per thread (default: threads share one socket)"),
        OptionSpec("--steer", "MODE", "with --reuseport, how the kernel picks a socket per datagram: hash (default: by flow), random, or cpu (the thread pinned to the CPU that processed it)",
                   choices: SteeringMode.allCases.map(\.rawValue)),
        OptionSpec("--cpus", "LIST", "pin thread i to the i-th CPU of LIST, e.g. 1 or 0-3,8 (default: unpinned; with --steer cpu, the CPUs allowed)"),
        OptionSpec("--batch", "N", "datagrams per recvmmsg call, 1-1024 (default 512)"),
        OptionSpec("--gro", nil, "UDP GRO: take coalesced datagrams, 64 KiB per message, counted one by one"),
        OptionSpec("--rx-usecs", "N", "after a call that emptied the socket, wait at least N microseconds so the next finds a batch and the kernel wakes the thread less often (interrupt moderation in user space); 0 blocks again at once (default: 50 with --gro, 200 with --xdp, 0 otherwise)"),
        OptionSpec("--rcvbuf", "SIZE", "receive buffer per socket, e.g. 4M or 256K; 0 keeps the kernel's default (default 4M)"),
        OptionSpec("--duration", "SECONDS", "stop after this long, 0.001 to 31536000 (365 days) (default: until Ctrl-C)"),
        OptionSpec("--count", "N", "stop after N datagrams, 1 to 2^64-1, e.g. 200000 or 200k"),
        OptionSpec("--interval", "SECONDS", "seconds between report lines, 0.001 to 31536000 (default 1)"),
        OptionSpec("--flow-key", "KEY[,KEY...]", "count only the flows of senders that printed these keys (mpps send's 'flow key'); other headers are counted as implausible (default: every flow)"),
        OptionSpec("--interface", "IF", "also read IF's counters every interval: sysfs statistics, per-queue packets and NIC drops (ethtool -S)"),
        OptionSpec("--metrics", "ADDR:PORT", "serve Prometheus metrics over HTTP at http://ADDR:PORT/metrics while receiving, e.g. 127.0.0.1:9321 (names in docs/metrics.md)"),
        OptionSpec("--xdp", "IF", "receive through AF_XDP sockets on interface IF (thread i reads RX queue i) with an XDP program that redirects UDP for ADDR:PORT and passes the rest; needs root (CAP_BPF, CAP_NET_ADMIN), Linux 5.9+"),
        OptionSpec("--xdp-mode", "MODE", "with --xdp: copy (default) or zerocopy (falls back to copy when the driver refuses)",
                   choices: ["copy", "zerocopy"]),
        OptionSpec("--json", nil, "print JSON lines instead of text (keys in docs/json.md)"),
        OptionSpec("--quiet", nil, "print only the summary (with --json: the ready line and the summary)"),
        SVGOption.spec("datagrams/s per thread, drops by cause and CPU shares over time"),
    ]

    static let help = HelpPage(
        usage: "mpps recv [ADDR:PORT] [OPTIONS]",
        about: """
        Receive UDP datagrams on ADDR:PORT (default 0.0.0.0:4321) with recvmmsg and
        print, every interval, the article's line: millions of datagrams per second,
        MiB of payload per second, megabits per second. Several threads either share
        one socket (the article's experiment 4) or, with --reuseport, each own one.
        On exit (duration, count, Ctrl-C or SIGTERM) a summary follows.
        """,
        options: options,
        footer: """
        examples:
          mpps recv 127.0.0.1:4321 --cpus 1
          mpps recv 0.0.0.0:4321 --threads 4 --reuseport --cpus 1-4
          mpps recv 0.0.0.0:4321 --threads 2 --reuseport --steer cpu --cpus 0-1
          mpps recv [::1]:4400 --json --duration 6
          mpps recv 0.0.0.0:4321 --metrics 127.0.0.1:9321
          mpps recv 198.18.0.1:4321 --xdp veth0 --threads 2 --cpus 0-1
        """)

    /// The kernel's default (212992 bytes here) holds about 170 small datagrams on
    /// loopback: a few milliseconds of a stalled reader at 100k/s. 4 MiB rides out
    /// scheduling hiccups; `--rcvbuf 0` restores the kernel's default, as in the article.
    static let defaultReceiveBuffer = 4 << 20

    static func run(_ raw: [String]) throws(RunError) {
        let arguments = try Arguments(raw, options: options, command: "mpps recv")
        if arguments.wantsHelp {
            writeOutput(help.text)
            return
        }
        let receive = try receiveOptions(arguments)
        let monitor = Monitor(interval: try arguments.seconds("--interval") ?? 1,
                              duration: try arguments.seconds("--duration"))
        let interface = try interfaceOption(arguments)
        let json = arguments.flag("--json")
        let quiet = arguments.flag("--quiet")
        let metricsAddress = try arguments.text("--metrics").map { text throws(RunError) in try arguments.address(text, what: "--metrics address") }
        // Bound before the receiver, so a port in use is reported before anything starts;
        // started once the receiver is reading, stopped (threads joined, socket closed) on every way out.
        let metrics = try metricsAddress.map { address throws(RunError) in try MetricsServer(listen: address) }
        defer { metrics?.stop() }
        let sink: ReportSink = json ? JSONSink(quiet: quiet) : HumanSink(verb: "received", quiet: quiet, slotSize: receive.slotSize)
        let plotting = try SVGOption.output(arguments).map {
            PlottingSink(wrapping: sink, output: $0, title: SVGOption.title, subtitle: [PlotTitle.hostLine])
        }
        try Session.receive(receive, monitor: monitor, sink: plotting ?? sink, interface: interface) { run in
            let ready = readyLine(run)
            // The line on stderr, for people, before the JSON stream's first line, for programs:
            // a program that waits for the ready line then finds the other written too.
            if !quiet { writeError(ready.text) }
            if json { JSONSink.write(ready.json) }
            plotting?.ready(ready.json)
            // Clients that came early wait in the listen queue until the threads start.
            if let metrics { startMetrics(metrics, for: run, quiet: quiet) }
        }
        if let failure = plotting?.failure { throw failure }
    }

    /// How to receive, read from the command's options: address, threads,
    /// SO_REUSEPORT and steering, CPUs, batch, buffer, count, GRO, moderation,
    /// flow keys and AF_XDP. Each bad value or bad combination is a usage error
    /// that names the option.
    static func receiveOptions(_ arguments: Arguments) throws(RunError) -> ReceiveOptions {
        var receive = ReceiveOptions()
        guard arguments.positionals.count <= 1 else {
            throw arguments.usage("expected at most one ADDR:PORT, got \(arguments.positionals.count)")
        }
        if let text = arguments.positionals.first {
            receive.address = try arguments.address(text, what: "listen address")
        }
        receive.threads = try arguments.integer("--threads", in: 1...1024) ?? 1
        receive.reusePort = arguments.flag("--reuseport")
        receive.cpus = try arguments.cpus("--cpus")
        receive.steering = try steering(arguments, receive: receive)
        receive.batch = try arguments.integer("--batch", in: 1...1024, why: " (the kernel's UIO_MAXIOV)") ?? 512
        let buffer = try arguments.size("--rcvbuf", minimum: 0) ?? RecvCommand.defaultReceiveBuffer
        receive.receiveBuffer = buffer == 0 ? nil : buffer
        receive.count = try arguments.count("--count")
        receive.coalescing = arguments.flag("--gro")
        receive.moderationMicroseconds = try arguments.integer("--rx-usecs", in: ReceiveOptions.moderationRange)
        receive.flowKeys = try arguments.flowKeys("--flow-key", most: ReceiveOptions.maximumFlowKeys)
        receive.xdp = try xdpOptions(arguments, receive: receive)
        return receive
    }

    /// `--steer MODE`, which needs `--reuseport`; the options' own default without it.
    private static func steering(_ arguments: Arguments, receive: ReceiveOptions) throws(RunError) -> SteeringMode {
        guard let mode = arguments.text("--steer") else { return receive.steering }
        guard let steering = SteeringMode(rawValue: mode) else {
            throw arguments.usage("--steer must be 'hash', 'random' or 'cpu', not '\(mode)'")
        }
        guard receive.reusePort else {
            throw arguments.usage("--steer needs --reuseport: it chooses among the sockets of an SO_REUSEPORT group")
        }
        var steered = receive
        steered.steering = steering
        if let problem = steered.steeringProblem { throw arguments.usage(problem) }
        return steering
    }

    /// `--interface IF`, which must name an interface of this host.
    private static func interfaceOption(_ arguments: Arguments) throws(RunError) -> String? {
        guard let interface = arguments.text("--interface") else { return nil }
        let existing = (try? NetworkInterface.names()) ?? []
        guard existing.contains(interface) else {
            throw arguments.usage("no interface named '\(interface)' (interfaces: \(existing.joined(separator: ", ")))")
        }
        return interface
    }

    /// The ready line of `run`: where it listens, how, and on which CPUs.
    private static func readyLine(_ run: ReceiveRun) -> ReceiveReady {
        var ready = ReceiveReady(address: run.boundAddress, threads: run.options.threads, reusePort: run.options.reusePort,
                                 steering: run.options.steering.rawValue, cpus: run.threadCPUs, batch: run.options.batch,
                                 coalescing: run.options.coalescing, moderationMicroseconds: run.options.moderation,
                                 receiveBuffer: run.grantedReceiveBuffer, flowKeys: run.options.flowKeys.count,
                                 processID: getpid())
        ready.xdp = run.options.xdp.map { ($0.interface, $0.zeroCopy ? "zerocopy" : "copy") }
        return ready
    }

    /// Starts serving `run`'s metrics off the receiving threads' CPUs; a failure ends the run.
    private static func startMetrics(_ metrics: MetricsServer, for run: ReceiveRun, quiet: Bool) {
        do throws(RunError) { try metrics.start(avoiding: run.threadCPUs ?? []) { ReceiverMetrics(run: run).prometheusText } } catch {
            run.control.fail(error.description)
        }
        if !quiet { writeError("mpps recv: metrics at http://\(metrics.address)/metrics") }
    }

    /// `--xdp IF` and `--xdp-mode`, checked against the options AF_XDP cannot honour.
    static func xdpOptions(_ arguments: Arguments, receive: ReceiveOptions) throws(RunError) -> XDPOptions? {
        let mode = arguments.text("--xdp-mode")
        guard let interface = arguments.text("--xdp") else {
            if mode != nil { throw arguments.usage("--xdp-mode needs --xdp IF") }
            return nil
        }
        var options = XDPOptions(interface: interface)
        switch mode {
        case nil, "copy": options.zeroCopy = false
        case "zerocopy": options.zeroCopy = true
        case let other?: throw arguments.usage("--xdp-mode must be 'copy' or 'zerocopy', not '\(other)'")
        }
        for flag in ["--reuseport", "--steer", "--gro"] where arguments.flag(flag) || arguments.text(flag) != nil {
            throw arguments.usage("\(flag) is for UDP sockets; --xdp reads AF_XDP sockets, one per RX queue, without GRO")
        }
        guard receive.address.port != 0 else {
            throw arguments.usage("--xdp needs a port: the XDP program redirects datagrams for ADDR:PORT, and port 0 names none")
        }
        return options
    }
}
