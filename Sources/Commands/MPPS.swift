import PacketIO
import Reporting

/// One `mpps` command: its name, what `mpps --help` says of it, its help page
/// and how it runs. Its man page and its completion come from the same entry.
package struct CommandEntry: Sendable {
    /// `recv`.
    package let name: String
    /// The operands after the name in the overview: `[ADDR:PORT]`.
    package let operands: String
    /// One line for the overview and the man page's NAME.
    package let summary: String
    /// Its `--help`.
    package let help: HelpPage
    /// What a shell offers for its operands.
    package let operandCompletion: ValueCompletion
    /// Runs it with the arguments after its name.
    let run: @Sendable ([String]) throws(RunError) -> Void
}

/// The `mpps` command: dispatches to its subcommands.
package enum MPPS {
    /// The one version of mpps: `--version`, the man pages and the Debian package all read it.
    package static let version = "0.1.0"

    /// Every command, in the order the overview lists them. A new command is one line here.
    package static let commands: [CommandEntry] = [
        CommandEntry(name: "recv", operands: "[ADDR:PORT]", summary: "receive and report (default 0.0.0.0:4321)",
                     help: RecvCommand.help, operandCompletion: .none, run: RecvCommand.run),
        CommandEntry(name: "send", operands: "[TARGET...]", summary: "send and report (default 127.0.0.1:4321)",
                     help: SendCommand.help, operandCompletion: .none, run: SendCommand.run),
        CommandEntry(name: "echo", operands: "[ADDR:PORT]", summary: "answer every datagram with its own bytes, in batches",
                     help: EchoCommand.help, operandCompletion: .none, run: EchoCommand.run),
        CommandEntry(name: "ping", operands: "[TARGET]", summary: "round trips to an echo under load: open or closed loop, honest RTT",
                     help: PingCommand.help, operandCompletion: .none, run: PingCommand.run),
        CommandEntry(name: "demo", operands: "", summary: "a few seconds of send and receive on loopback",
                     help: DemoCommand.help, operandCompletion: .none, run: DemoCommand.run),
        CommandEntry(name: "doctor", operands: "", summary: "check this host's NICs, CPUs and settings for receiving fast",
                     help: DoctorCommand.help, operandCompletion: .none, run: DoctorCommand.run),
        CommandEntry(name: "lab", operands: "", summary: "the article's experiments one after another, then a table",
                     help: LabCommand.help, operandCompletion: .none, run: LabCommand.run),
        CommandEntry(name: "ndr", operands: "[TARGET]", summary: "the highest rate received without loss (RFC 2544-style search)",
                     help: NDRCommand.help, operandCompletion: .none, run: NDRCommand.run),
        CommandEntry(name: "plot", operands: "RUN.jsonl", summary: "draw a saved --json stream of recv, send, lab or ndr as SVG",
                     help: PlotCommand.help, operandCompletion: .files, run: PlotCommand.run),
        CommandEntry(name: "serve", operands: "", summary: "run receivers for mpps on another host (ndr/send/lab --server)",
                     help: ServeCommand.help, operandCompletion: .none, run: ServeCommand.run),
    ]

    /// What `mpps` and `mpps --help` print.
    static var overview: String {
        var lines = ["usage: mpps COMMAND [OPTIONS]", "", about, "", "commands:"]
        for command in commands {
            lines.append(overviewLine(command.name + (command.operands.isEmpty ? "" : " " + command.operands), command.summary))
        }
        lines.append(overviewLine("help [COMMAND]", "show help for a command"))
        lines += ["", "'mpps COMMAND --help' explains each command's options; 'mpps --version' prints the version.",
                  "The article's own programs are installed as udpsender and udpreceiver1.", ""]
        return lines.joined(separator: "\n") + "\n"
    }

    /// What mpps is, in the overview and the man page.
    static let about = """
    Send and receive UDP datagrams in batches and report packets per second,
    after Cloudflare's "How to receive a million packets per second".
    """

    private static func overviewLine(_ left: String, _ right: String) -> String {
        "  " + left + String(repeating: " ", count: max(1, 21 - left.count)) + right
    }

    package static func main(_ arguments: [String]) throws(RunError) {
        guard let name = arguments.first else {
            writeOutput(overview)
            return
        }
        let rest = Array(arguments.dropFirst())
        if let command = commands.first(where: { $0.name == name }) {
            try command.run(rest)
            return
        }
        switch name {
        case "help", "-h", "--help":
            if let command = commands.first(where: { $0.name == rest.first }) {
                writeOutput(command.help.text)
            } else {
                writeOutput(overview)
            }
        case "--version", "version":
            writeOutput("mpps \(version)\n")
        case "--generate":
            try Generate.run(rest)
        default:
            let names = (commands.map(\.name) + ["help"]).joined(separator: ", ")
            throw RunError("mpps: unknown command '\(name)' (commands: \(names); see 'mpps --help')",
                           status: RunError.usage)
        }
    }
}
