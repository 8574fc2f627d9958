import Metrics
import PacketIO
import Reporting
import Trials

/// `mpps serve [--listen ADDR:PORT]`: the control server on the receiving host,
/// which runs receivers for `mpps ndr --server`, `send --server` and `lab --server`.
enum ServeCommand {
    static let options = [
        OptionSpec("--listen", "ADDR:PORT", "the TCP address to take clients on (default 0.0.0.0:\(ServeProtocol.defaultPort): every IPv4 address of this host)"),
        OptionSpec("--key-file", "FILE", "clients must prove they know the key in FILE (at least 16 bytes; the same file as their --key-file): HMAC-SHA256 over a fresh nonce, never the key itself"),
        OptionSpec("--allow-low-ports", nil, "let clients start receivers on UDP ports below 1024 (refused by default)"),
        OptionSpec("--timeout", "SECONDS", "drop a client silent this long, 0.1 to 3600 (default 10)"),
        OptionSpec("--longest-run", "SECONDS", "a receiver's --duration when the client gives none, 1 to 86400 (default 3600)"),
        OptionSpec("--metrics", "ADDR:PORT", "each receiver serves Prometheus metrics at http://ADDR:PORT/metrics while it runs (as recv --metrics; nothing listens between receivers)"),
    ]

    /// The `mpps recv` options a client may give: what shapes a receiver, nothing
    /// that changes what it prints (the server reads its JSON) or names a file.
    static let clientOptions: Set<String> = [
        "--threads", "--reuseport", "--steer", "--cpus", "--batch", "--gro", "--rx-usecs", "--rcvbuf",
        "--duration", "--count", "--interval", "--flow-key", "--interface",
    ]

    /// The `mpps echo` options a client may give (for `mpps ping --server`), by the same rule.
    static let echoClientOptions: Set<String> = [
        "--threads", "--reuseport", "--steer", "--cpus", "--batch", "--gro", "--gso", "--rcvbuf", "--duration", "--count",
        "--interval", "--sockperf",
    ]

    static let help = HelpPage(
        usage: "mpps serve [--listen ADDR:PORT] [--key-file FILE] [OPTIONS]",
        about: """
        Serve receivers to mpps on another host, as the article's receiving
        server: a client (mpps ndr --server, send --server, lab --server) asks
        over TCP for 'mpps recv' with some of its options, sends to it, then asks
        for its summary and kernel counters; mpps ping --server asks for 'mpps
        echo' the same way. One receiver or echo at a time; a second client is
        told the server is busy. A client that disconnects stops its receiver. The protocol is JSON lines (docs/two-hosts.md). Runs until
        Ctrl-C, SIGTERM or SIGHUP, and stops its receiver on the way out.

        A client may give these recv options: \(clientOptions.sorted().joined(separator: " ")).
        And these echo options: \(echoClientOptions.sorted().joined(separator: " ")).
        """,
        options: options,
        footer: """
        examples:
          mpps serve
          mpps serve --listen 198.18.0.1:4320 --key-file /etc/mpps.key
        """)

    static func run(_ raw: [String]) throws(RunError) {
        let arguments = try Arguments(raw, options: options, command: "mpps serve")
        if arguments.wantsHelp {
            writeOutput(help.text)
            return
        }
        guard arguments.positionals.isEmpty else {
            throw arguments.usage("takes no positional arguments, got '\(arguments.positionals[0])' (give --listen ADDR:PORT)")
        }
        let allowLowPorts = arguments.flag("--allow-low-ports")
        var serve = ServeOptions(executable: ChildProcess.currentExecutable()) { program, clientArguments in
            check(program, clientArguments, allowLowPorts: allowLowPorts)
        }
        if let text = arguments.text("--listen") { serve.listen = try arguments.address(text, what: "--listen address") }
        if let path = arguments.text("--key-file") { serve.key = try ServeProtocol.readKey(path) }
        serve.readTimeout = try arguments.seconds("--timeout", minimum: 0.1, maximum: 3600) ?? 10
        serve.longestRun = try arguments.seconds("--longest-run", minimum: 1, maximum: 86400) ?? 3600
        if let text = arguments.text("--metrics") {
            // Bound once here, so a bad or busy address is refused now, not at a client's first trial.
            let address = try arguments.address(text, what: "--metrics address")
            guard address.port != 0 else {
                throw arguments.usage("--metrics needs a port: each receiver binds the same ADDR:PORT, and Prometheus scrapes it")
            }
            try MetricsServer(listen: address).stop()
            serve.metrics = text
        }

        let watch = StopSignalWatch()
        defer { watch.restore() }
        let server = try ServeServer(serve)
        writeOutput("mpps serve: listening on \(server.address) (protocol \(ServeProtocol.version), "
            + (serve.key == nil ? "no key" : "key required") + ")\n")
        try server.serve(until: watch)
        writeError("mpps serve: stopped by a signal")
    }

    /// Checks a client's receiver (or echo) arguments by `mpps recv`'s (or `mpps
    /// echo`'s) own option table, narrowed to ``clientOptions`` (``echoClientOptions``):
    /// the error to send back, or nil. Values are then checked by the child itself,
    /// which runs the same parser.
    static func check(_ program: ServeProtocol.Program, _ arguments: [String], allowLowPorts: Bool) -> RunError? {
        let names = program == .recv ? clientOptions : echoClientOptions
        let allowed = (program == .recv ? RecvCommand.options : EchoCommand.options).filter { names.contains($0.name) }
        do throws(RunError) {
            for argument in arguments where argument.hasPrefix("-") && argument != "-" {
                let name = String(argument.split(separator: "=", maxSplits: 1).first ?? "")
                guard names.contains(name) else {
                    return RunError("option '\(name)' is not one a client may give (allowed: \(names.sorted().joined(separator: " ")))")
                }
            }
            let parsed = try Arguments(arguments, options: allowed, command: "mpps \(program.rawValue)")
            guard parsed.positionals.count <= 1 else {
                return RunError("expected at most one ADDR:PORT, got \(parsed.positionals.count)")
            }
            let address = try parsed.positionals.first.map { text throws(RunError) in try parsed.address(text, what: "listen address") }
            let port = address?.port ?? 4321
            if port != 0 && port < 1024 && !allowLowPorts {
                return RunError("port \(port) is below 1024: this server refuses it (start mpps serve with --allow-low-ports to permit it)")
            }
            return nil
        } catch {
            return error
        }
    }
}
