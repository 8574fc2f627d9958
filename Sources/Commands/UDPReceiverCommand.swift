import Engine
import PacketIO
import Reporting

/// `udpreceiver1 [listen ip:port] [threads] [reuseport]`: the article's receiver.
/// Prints the article's line every second until Ctrl-C. Built on the same
/// engine as `mpps recv`; the article's first argument may be left out.
package enum UDPReceiverCommand {
    static let usage = "usage: udpreceiver1 [listen ip:port] [threads] [reuseport]   (e.g. udpreceiver1 0.0.0.0:4321 4 1)"

    static let help = HelpPage(
        usage: "udpreceiver1 [listen ip:port] [threads] [reuseport]",
        about: """
        The article's receiver: receives UDP on ip:port (default 0.0.0.0:4321) with
        recvmmsg and prints the article's line every second until Ctrl-C: millions of
        datagrams per second, MiB of payload per second, megabits per second.
        threads: receiving threads (default 1); reuseport: 1 gives each thread its own
        SO_REUSEPORT socket, 0 (the default) lets them share one. The article's
        'udpreceiver1 4 1' leaves the address out. For more options, see 'mpps recv --help'.
        """,
        options: [],
        footer: """
        examples:
          udpreceiver1 0.0.0.0:4321
          udpreceiver1 0.0.0.0:4321 4 1
        """)

    /// Runs the article's receiver with `arguments` (without the program name).
    package static func run(_ arguments: [String]) throws(RunError) {
        if arguments.contains("-h") || arguments.contains("--help") {
            writeOutput(help.text)
            return
        }
        let options = try parse(arguments)
        try Session.receive(options, monitor: Monitor(interval: 1, duration: nil), sink: HumanSink(verb: "received", perThread: false, explains: false)) { run in
            writeError("udpreceiver1: listening on \(run.boundAddress), \(options.threads) thread(s)"
                + (options.reusePort ? ", SO_REUSEPORT" : ""))
        }
    }

    /// The receive options the article's positional arguments ask for.
    static func parse(_ raw: [String]) throws(RunError) -> ReceiveOptions {
        var arguments = raw
        var options = ReceiveOptions()
        guard arguments.count <= 3 else { throw RunError("udpreceiver1: too many arguments\n" + usage, status: RunError.usage) }
        // The article also runs `udpreceiver1 4 1`: a bare number first means the address was left out.
        if let first = arguments.first, Int(first) == nil {
            do { options.address = try SocketAddress(parsing: first) } catch {
                throw RunError("udpreceiver1: bad listen address: \(error)", status: RunError.usage)
            }
            arguments.removeFirst()
        }
        if arguments.count > 2 { throw RunError("udpreceiver1: too many arguments\n" + usage, status: RunError.usage) }
        if let threads = arguments.first {
            guard let value = Int(threads), (1...1024).contains(value) else {
                throw RunError("udpreceiver1: threads must be a whole number from 1 to 1024, not '\(threads)'", status: RunError.usage)
            }
            options.threads = value
        }
        if arguments.count == 2 {
            guard arguments[1] == "0" || arguments[1] == "1" else {
                throw RunError("udpreceiver1: reuseport must be 0 or 1, not '\(arguments[1])'", status: RunError.usage)
            }
            options.reusePort = arguments[1] == "1"
        }
        return options
    }
}
