import Engine
import PacketIO
import Reporting

/// `udpsender TARGET [TARGET...]`: the article's sender. One thread and one
/// connected socket per target, 1024 datagrams of 32 zero bytes per sendmmsg,
/// until Ctrl-C; pin it with taskset as the article does. Prints the article's
/// line every second for what the kernel accepted.
package enum UDPSenderCommand {
    static let usage = "usage: udpsender [target ip:port] [target ip:port ...]   (default 127.0.0.1:4321)"

    /// Runs the article's sender with `arguments` (without the program name).
    package static func run(_ arguments: [String]) throws(RunError) {
        if arguments.contains("-h") || arguments.contains("--help") {
            writeOutput(usage + "\n\nSends 32-byte UDP datagrams of zero bytes with sendmmsg, 1024 per call, one thread per target."
                + "\nSend only to hosts you run. For more options (sequence headers, rates, GSO), see 'mpps send --help'.\n")
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
