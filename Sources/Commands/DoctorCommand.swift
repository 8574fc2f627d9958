
import HostStats
import Reporting

/// `mpps doctor`: reads this host's CPUs, NICs, interrupts, counters and sysctls and
/// says what stands between it and a million packets per second, and what to do.
enum DoctorCommand {
    static let options = [
        OptionSpec("--interface", "IF", "look at these interfaces only: eth2, or eth2,eth3 (default: all but lo)"),
        OptionSpec("--port", "PORT", "the UDP port to name in suggested commands (default 4321)"),
        OptionSpec("--json", nil, "print one JSON object instead of text (keys in docs/json.md)"),
        OptionSpec("--root", "DIR", "read proc/, sys/ and ethtool-*.txt under DIR instead of this host (fixture trees, for tests)"),
    ]

    static let help = HelpPage(
        usage: "mpps doctor [--interface IF] [--json]",
        about: """
        Read this host's CPUs and NUMA nodes, each interface's RX queues, the CPUs
        their interrupts go to, RPS/XPS masks, RSS hash fields (ethtool), drop
        counters, the network sysctls and connection tracking; then list findings,
        each with a recommendation, and suggest CPUs for receiving threads: on the
        NIC's NUMA node, off the CPUs taking its RX interrupts and their SMT siblings.
        It changes nothing. Readings that need root or a driver's support are
        reported as "could not read X: why".
        """,
        options: options,
        footer: """
        examples:
          mpps doctor
          mpps doctor --interface eth2 --json
        """)

    static func run(_ raw: [String]) throws(RunError) {
        let arguments = try Arguments(raw, options: options, command: "mpps doctor")
        if arguments.wantsHelp {
            writeOutput(help.text)
            return
        }
        guard arguments.positionals.isEmpty else {
            throw arguments.usage("takes no positional arguments, got '\(arguments.positionals[0])'")
        }
        let port = try arguments.integer("--port", in: 1...65535) ?? 4321
        let files = HostFiles(root: arguments.text("--root") ?? "/")
        if let root = arguments.text("--root"), !files.exists("/proc") && !files.exists("/sys") {
            throw arguments.usage("--root must be a directory holding proc/ and sys/ as captured from a host, not '\(root)'")
        }
        var selection: [String]?
        if let text = arguments.text("--interface") {
            let names = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let existing = (try? NetworkInterface.names(files)) ?? []
            for name in names where !existing.contains(name) {
                let known = existing.isEmpty ? "none could be listed" : "interfaces: " + existing.joined(separator: ", ")
                throw arguments.usage("no interface named '\(name)' (\(known))")
            }
            selection = names
        }
        let snapshot = HostSnapshot.read(root: files.root, interfaces: selection)
        let report = Doctor.diagnose(snapshot, port: port)
        if arguments.flag("--json") { JSONSink.write(report.json) } else { writeOutput(report.text) }
    }
}
