import Engine
import PacketIO
import Reporting

/// `udpsender TARGET [TARGET...]`: the article's sender. One thread and one
/// connected socket per target, 1024 datagrams of 32 zero bytes per sendmmsg,
/// until Ctrl-C; pin it with taskset as the article does. Prints the article's
/// line every second for what the kernel accepted.
package enum UDPSenderCommand {
    static let usage = "usage: udpsender [target ip:port] [target ip:port ...]   (default 127.0.0.1:4321)"

    static let help = HelpPage(
        usage: "udpsender [target ip:port] [target ip:port ...]",
        about: """
        The article's sender: sends 32-byte UDP datagrams of zero bytes to each target
        (default 127.0.0.1:4321) with sendmmsg, 1024 per call, one thread and one
        connected socket per target, until Ctrl-C, and prints the article's line every
        second for what the kernel accepted. Pin it with taskset as the article does.
        Send only to hosts you run. For more options (sequence headers, rates, GSO),
        see 'mpps send --help'.
        """,
        options: [],
        footer: """
        examples:
          taskset -c 1 udpsender 127.0.0.1:4321
          udpsender 192.0.2.10:4321 192.0.2.11:4321
        """)

    /// Runs the article's sender with `arguments` (without the program name).
    package static func run(_ arguments: [String]) throws(RunError) {
        if arguments.contains("-h") || arguments.contains("--help") {
            writeOutput(help.text)
            return
        }
        var options = SendOptions()
        // The article's payload: 32 zero bytes, no sequence header.
        options.stampsSequence = false
        if !arguments.isEmpty {
            var targets: [SocketAddress] = []
            for text in arguments {
                do { targets.append(try SocketAddress(parsing: text)) } catch {
                    throw RunError("udpsender: bad target: \(error)", status: RunError.usage)
                }
            }
            options.targets = targets
        }
        try Session.send(options, monitor: Monitor(interval: 1, duration: nil), sink: HumanSink(verb: "sent", perThread: false, explains: false)) { _ in
            writeError("udpsender: sending to " + options.targets.map(\.description).joined(separator: ", "))
        }
    }
}
