
import PacketIO
import Plots
import Reporting
import Trials

/// `mpps ndr [TARGET]`: the highest rate received without loss.
enum NDRCommand {
    static let options = [
        OptionSpec("--min", "RATE", "the lowest rate to try, datagrams/s, 1 to 1G, e.g. 10k (default 10k)"),
        OptionSpec("--max", "RATE", "the highest rate to try, 1 to 1G, e.g. 400k or 1.5M (default 1M)"),
        OptionSpec("--loss", "FRACTION", "the loss a passing trial may have, 0 to 1, e.g. 0.001 (default 0: none)"),
        OptionSpec("--trial", "SECONDS", "seconds of sending per trial, 0.1 to 600 (default 2)"),
        OptionSpec("--steps", "N", "search trials at most, the first at --max included, 1-30 (default 8)"),
        OptionSpec("--gso", "N", "the sender uses UDP GSO, N datagrams per message, to offer more than a plain sender can"),
        OptionSpec("--netns", nil, "run sender and receiver in two network namespaces joined by a veth pair (root)"),
        OptionSpec("--json", nil, "one JSON object per trial, then a summary"),
        SVGOption.spec("each trial, offered vs received, pass or fail, and the result"),
        OptionSpec("--server", "HOST[:PORT]", "run each trial's receiver on the host of this mpps serve (port \(ServeProtocol.defaultPort) by default); TARGET is that host's address, the sender runs here"),
        OptionSpec("--key-file", "FILE", "with --server: prove the key in FILE, when the server asks for one"),
    ]

    static let help = HelpPage(
        usage: "mpps ndr [TARGET] [OPTIONS]",
        about: """
        Find the highest rate a receiver takes with no loss (or at most --loss), as
        RFC 2544's throughput test does: each trial starts 'mpps recv TARGET' and
        then 'mpps send TARGET --rate R --count N' (N = R x --trial) as child
        processes, and counts what was lost (by the sequence numbers, or sent minus
        received when that is more). A trial passes
        when the sender sent all N within a little over --trial seconds (so the rate
        really was offered) and lost/sent is at most --loss. The first trial is at
        --max; then bisection between the best rate that passed and the lowest that
        failed, for at most --steps trials; then a confirming trial at the result.
        If nothing passes, one trial at --min; if that fails too, the result is 0.

        TARGET (default 127.0.0.1 and a free port) must be an address of this host:
        the receiver listens there. With --netns the receiver listens on 198.18.0.1
        in a namespace of its own, and the sender sends from another.
        """,
        options: options,
        footer: """
        examples:
          mpps ndr
          mpps ndr --trial 0.5 --steps 4 --max 400k
          mpps ndr 127.0.0.1:4400 --gso 16 --max 3M --loss 0.001 --json
          mpps ndr --server receiver-host 192.0.2.10:4321 --max 2M
        """)

    static func run(_ raw: [String]) throws(RunError) {
        let arguments = try Arguments(raw, options: options, command: "mpps ndr")
        if arguments.wantsHelp {
            writeOutput(help.text)
            return
        }
        var ndr = NDROptions()
        guard arguments.positionals.count <= 1 else {
            throw arguments.usage("expected at most one TARGET, got \(arguments.positionals.count)")
        }
        ndr.netns = arguments.flag("--netns")
        if let text = arguments.positionals.first {
            guard !ndr.netns else {
                throw arguments.usage("TARGET and --netns exclude each other: with --netns the receiver listens on 198.18.0.1:4321 in its own namespace")
            }
            ndr.target = try arguments.address(text, what: "TARGET")
        }
        ndr.minimum = try arguments.rate("--min") ?? 10_000
        ndr.maximum = try arguments.rate("--max") ?? 1_000_000
        guard ndr.minimum <= ndr.maximum else {
            throw arguments.usage("--min \(arguments.text("--min") ?? "10k") is above --max \(arguments.text("--max") ?? "1M"): give --min at most --max")
        }
        ndr.loss = try arguments.fraction("--loss") ?? 0
        ndr.trialSeconds = try arguments.seconds("--trial", minimum: NDROptions.shortestTrial, maximum: 600,
                                                 why: NDROptions.shortestTrialReason) ?? 2
        ndr.steps = try arguments.integer("--steps", in: 1...30) ?? 8
        ndr.gso = try arguments.integer("--gso", in: 1...SendBatch.maximumSegments, why: " (the kernel's UDP_MAX_SEGMENTS)")
        ndr.json = arguments.flag("--json")
        try ClientOptions.read(arguments, into: &ndr.server, key: &ndr.key, exclusive: ndr.netns ? "--netns" : nil)
        if ndr.server != nil {
            guard let port = ndr.target?.port, port != 0 else {
                throw arguments.usage("--server needs TARGET, the receiving host's address as this host reaches it, with a port: mpps ndr --server HOST 198.18.0.1:4321")
            }
        }
        let svg = try SVGOption.output(arguments)
        var plot = NDRPlotData()
        try SVGOption.drawAfter(svg, recorded: { plot.count },
                                figure: { NDRPlotData.figure(plot, title: SVGOption.title, subtitle: [PlotTitle.hostLine]) }) { () throws(RunError) in
            try NDRRun.run(ndr) { plot.add($0) }
        }
    }
}
