
import PacketIO
import Plots
import Reporting
import Trials

/// `mpps lab`: the article's experiments on one machine, one command.
enum LabCommand {
    static let options = [
        OptionSpec("--seconds", "S", "seconds each sender runs, 0.1 to 600 (default 3)"),
        OptionSpec("--port", "PORT", "the UDP port receivers listen on (default: a free one; 4321 with --netns)"),
        OptionSpec("--netns", nil, "run sender and receiver in two network namespaces joined by a veth pair with RPS (root)"),
        OptionSpec("--json", nil, "one JSON object per experiment, then a summary (keys in docs/json.md)"),
        SVGOption.spec("a bar per experiment: received vs sent, losses stacked by cause"),
        OptionSpec("--server", "HOST[:PORT]", "run the receivers on the host of this mpps serve, the senders here (port 4321 unless --port)"),
        OptionSpec("--target", "ADDR[,ADDR...]", "with --server: the receiving host's addresses as this host reaches them, IPv4 or IPv6 (2001:db8::10, no brackets); the first is the main one, the several-addresses experiment needs 2 or more"),
        OptionSpec("--key-file", "FILE", "with --server: prove the key in FILE, when the server asks for one"),
    ]

    static let help = HelpPage(
        usage: "mpps lab [--seconds S] [--json] [--netns] [--svg FILE]",
        about: """
        Run the article's experiments in its order, each as two child processes of
        this mpps (a receiver, then a sender for S seconds; then SIGINT to the
        receiver), and report for each the datagrams received per second, what was
        lost and where (socket buffer, a CPU's backlog), and each receiving thread's
        share; then a table. Every command line is printed, so each experiment is
        exactly what you could type:

          naive          recv 0.0.0.0:PORT                     send 127.0.0.1:PORT
          pinned         recv --cpus B                         send --cpus A
          two-senders    recv --cpus B                         send --threads 2
          several-ips    recv --cpus B                         send 127.0.0.1-4:PORT
          shared-socket  recv --threads 2                      send --threads 2
          reuseport      recv --threads 2 --reuseport          send --threads 2
          many-flows     recv --threads 2 --reuseport          send --threads 2 --flows 16
          steer-cpu      recv ... --reuseport --steer cpu      send --threads 2
          steer-random   recv ... --reuseport --steer random   send --threads 2
          gso            recv                                  send --gso 64
          gro            recv --gro                            send --gso 64
          gro-no-wait    recv --gro --rx-usecs 0               send --gso 64

        (4 receiving threads instead of 2 with 6 CPUs or more.) On loopback the
        kernel delivers each datagram in the sender's context; with --netns the
        sender runs in one namespace and the receiver in another, and RPS on the
        receiving veth's 4 RX queues spreads flows over CPUs as a multi-queue NIC
        would (198.18.0.0/15 addresses; both namespaces are deleted on every exit,
        Ctrl-C included). The lab says which experiments cannot show their effect
        on this machine (too few CPUs; no NIC queues or NUMA nodes: see mpps doctor).
        An experiment whose options this build lacks is reported as not run.
        """,
        options: options,
        footer: """
        examples:
          mpps lab
          mpps lab --seconds 1 --json
          sudo mpps lab --netns
          mpps lab --server receiver-host --target 192.0.2.10,192.0.2.11
        """)

    /// What this build's recv and send accept, read from their own option tables.
    static var capabilities: LabCapabilities {
        LabCapabilities(receiveOptions: Set(RecvCommand.options.map(\.name)),
                        sendOptions: Set(SendCommand.options.map(\.name)))
    }

    static func run(_ raw: [String]) throws(RunError) {
        let arguments = try Arguments(raw, options: options, command: "mpps lab")
        if arguments.wantsHelp {
            writeOutput(help.text)
            return
        }
        guard arguments.positionals.isEmpty else {
            throw arguments.usage("takes no positional arguments, got '\(arguments.positionals[0])'")
        }
        var lab = LabOptions()
        lab.seconds = try arguments.seconds("--seconds", minimum: LabOptions.shortestSeconds, maximum: 600,
                                            why: LabOptions.shortestSecondsReason) ?? 3
        if let port = try arguments.integer("--port", in: 1...65535) { lab.port = UInt16(port) }
        lab.json = arguments.flag("--json")
        lab.netns = arguments.flag("--netns")
        try ClientOptions.read(arguments, into: &lab.server, key: &lab.key, exclusive: lab.netns ? "--netns" : nil)
        if let text = arguments.text("--target") {
            guard lab.server != nil else { throw arguments.usage("--target goes with --server: the receiving host's addresses") }
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= 16 else { throw arguments.usage("--target takes at most 16 addresses, got \(parts.count)") }
            for part in parts {
                // An IPv6 address goes in brackets for the parser, which takes ADDR:PORT.
                let endpoint = part.contains(":") && !part.hasPrefix("[") ? "[\(part)]:1" : "\(part):1"
                guard let address = try? SocketAddress(parsing: endpoint) else {
                    throw arguments.usage("--target address '\(part)' is not an IPv4 or IPv6 address: give addresses without ports, "
                                          + "such as 192.0.2.10,192.0.2.11 or 2001:db8::10")
                }
                lab.targets.append(address.hostDescription)
            }
        } else if lab.server != nil {
            throw arguments.usage("--server needs --target ADDR[,ADDR...]: the receiving host's addresses as this host reaches them")
        }
        let svg = try SVGOption.output(arguments)
        var plot = LabPlotData()
        try SVGOption.drawAfter(svg, recorded: { plot.count },
                                figure: { LabPlotData.figure(plot, title: SVGOption.title, subtitle: [PlotTitle.hostLine]) }) { () throws(RunError) in
            try LabRun.run(lab, capabilities: capabilities) { plot.add($0) }
        }
    }
}
