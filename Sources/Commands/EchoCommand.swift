#if canImport(Glibc)
import Glibc
#endif
import Engine
import PacketIO
import Reporting

/// `mpps echo [ADDR:PORT]`: answer every datagram with its own bytes, in batches.
enum EchoCommand {
    static let options = [
        OptionSpec("--threads", "N", "echo threads (default 1)"),
        OptionSpec("--reuseport", nil, "one SO_REUSEPORT socket per thread (default: threads share one socket)"),
        OptionSpec("--steer", "MODE", "with --reuseport, how the kernel picks a socket per request: hash (default: by flow), random, or cpu (the thread pinned to the CPU that processed it)",
                   choices: ["hash", "random", "cpu"]),
        OptionSpec("--cpus", "LIST", "pin thread i to the i-th CPU of LIST, e.g. 1 or 0-3,8 (default: unpinned)"),
        OptionSpec("--batch", "N", "requests per recvmmsg call, answered with one sendmmsg, 1-1024 (default 64)"),
        OptionSpec("--gro", nil, "receive with UDP GRO: a GSO sender's datagrams arrive as one message per send, each still answered as its own datagram (counts are datagrams)"),
        OptionSpec("--gso", nil, "with --gro, answer each coalesced message with GSO sends of its own bytes and segment size (up to 64 replies per send), which the kernel cuts into the same datagrams; off unless asked, so that --gro alone measures one reply message per request; not with --sockperf"),
        OptionSpec("--rcvbuf", "SIZE", "receive buffer per socket, e.g. 4M or 256K; 0 keeps the kernel's default (default 4M)"),
        OptionSpec("--duration", "SECONDS", "stop after this long, 0.001 to 31536000 (365 days) (default: until Ctrl-C)"),
        OptionSpec("--count", "N", "stop after N requests (answered or not), 1 to 2^64-1, e.g. 200000 or 200k"),
        OptionSpec("--interval", "SECONDS", "seconds between report lines, 0.001 to 31536000 (default 1)"),
        OptionSpec("--sockperf", nil, "answer as sockperf server does, so sockperf's clients (pp, ul) work: a request with sockperf's header is answered only when it asks for a reply, with its client flag cleared; every other byte comes back as it came"),
        OptionSpec("--json", nil, "print JSON lines instead of text (schema in docs/echo-and-ping.md)"),
        OptionSpec("--quiet", nil, "print only the summary (with --json: the ready line and the summary)"),
    ]

    static let help = HelpPage(
        usage: "mpps echo [ADDR:PORT] [OPTIONS]",
        about: """
        Answer every UDP datagram on ADDR:PORT (default 0.0.0.0:4321) with its own
        bytes, sent back to its source: each batch recvmmsg returns is answered with
        one sendmmsg, a destination per reply. One reply per request at most, never
        longer. Any client works (mpps ping, sockperf, a script); every request is
        accounted for: requests = replies + not answered, by cause. Requests with
        mpps ping's header are also counted per flow (source, token, flow number):
        the gaps in a flow's sequence numbers are requests lost on the way in.
        """,
        options: options,
        footer: """
        examples:
          mpps echo 127.0.0.1:4321 --cpus 1
          mpps echo 0.0.0.0:4321 --threads 2 --reuseport --cpus 0-1
          mpps echo [::1]:4400 --json --duration 6
          mpps echo 127.0.0.1:4321 --gro --gso      (GSO clients: replies as GSO sends too)
          mpps echo 127.0.0.1:11111 --sockperf     (then: sockperf pp -i 127.0.0.1 --full-rtt)
        """)

    static func run(_ raw: [String]) throws(RunError) {
        let arguments = try Arguments(raw, options: options, command: "mpps echo")
        if arguments.wantsHelp {
            writeOutput(help.text)
            return
        }
        let echo = try echoOptions(arguments)
        let json = arguments.flag("--json")
        let quiet = arguments.flag("--quiet")
        let interval = try arguments.seconds("--interval") ?? 1
        let duration = try arguments.seconds("--duration")
        try EchoSession.run(echo, interval: interval, duration: duration, output: .init(json: json, quiet: quiet)) { run in
            let receive = run.options.receive
            let ready = EchoReady(address: run.boundAddress, threads: receive.threads, reusePort: receive.reusePort,
                                  steering: receive.steering.rawValue, cpus: run.threadCPUs, batch: receive.batch,
                                  coalescing: receive.coalescing, segmentation: run.options.segmentation,
                                  receiveBuffer: run.grantedReceiveBuffer, processID: getpid())
            if !quiet { writeError(ready.text) }
            if json { JSONSink.write(ready.json) }
        }
    }

    /// The options a command line gives, each checked.
    static func echoOptions(_ arguments: Arguments) throws(RunError) -> EchoOptions {
        var echo = EchoOptions()
        guard arguments.positionals.count <= 1 else {
            throw arguments.usage("expected at most one ADDR:PORT, got \(arguments.positionals.count)")
        }
        if let text = arguments.positionals.first {
            echo.receive.address = try arguments.address(text, what: "listen address")
        }
        echo.receive.threads = try arguments.integer("--threads", in: 1...1024) ?? 1
        echo.receive.reusePort = arguments.flag("--reuseport")
        echo.receive.cpus = try arguments.cpus("--cpus")
        if let mode = arguments.text("--steer") {
            guard let steering = SteeringMode(rawValue: mode) else {
                throw arguments.usage("--steer must be 'hash', 'random' or 'cpu', not '\(mode)'")
            }
            guard echo.receive.reusePort else {
                throw arguments.usage("--steer needs --reuseport: it chooses among the sockets of an SO_REUSEPORT group")
            }
            echo.receive.steering = steering
            if let problem = echo.receive.steeringProblem { throw arguments.usage(problem) }
        }
        echo.receive.batch = try arguments.integer("--batch", in: 1...1024, why: " (the kernel's UIO_MAXIOV)") ?? 64
        let buffer = try arguments.size("--rcvbuf", minimum: 0) ?? RecvCommand.defaultReceiveBuffer
        echo.receive.receiveBuffer = buffer == 0 ? nil : buffer
        echo.receive.count = try arguments.count("--count")
        echo.sockperf = arguments.flag("--sockperf")
        echo.receive.coalescing = arguments.flag("--gro")
        echo.segmentation = arguments.flag("--gso")
        if echo.segmentation && !echo.receive.coalescing {
            throw arguments.usage("--gso needs --gro: the echo answers with GSO the requests GRO coalesced")
        }
        if echo.segmentation && echo.sockperf {
            throw arguments.usage("--gso cannot be used with --sockperf: each sockperf reply's header is changed one by one")
        }
        return echo
    }
}
