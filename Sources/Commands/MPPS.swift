import PacketIO
import Reporting



/// The `mpps` command: dispatches to its subcommands.
package enum MPPS {
    static let version = "0.1.0"

    static let overview = """
    usage: mpps COMMAND [OPTIONS]

    Send and receive UDP datagrams in batches and report packets per second,
    after Cloudflare's "How to receive a million packets per second".

    commands:
      recv [ADDR:PORT]     receive and report (default 0.0.0.0:4321)
      send [TARGET...]     send and report (default 127.0.0.1:4321)
      echo [ADDR:PORT]     answer every datagram with its own bytes, in batches
      ping [TARGET]        round trips to an echo under load: open or closed loop, honest RTT
      demo                 a few seconds of send and receive on loopback
      doctor               check this host's NICs, CPUs and settings for receiving fast
      lab                  the article's experiments one after another, then a table
      ndr [TARGET]         the highest rate received without loss (RFC 2544-style search)
      plot RUN.jsonl       draw a saved --json stream of recv, send, lab or ndr as SVG
      serve                run receivers for mpps on another host (ndr/send/lab --server)
      help [COMMAND]       show help for a command

    'mpps COMMAND --help' explains each command's options.
    The article's own programs are installed as udpsender and udpreceiver1.

    """

    package static func main(_ arguments: [String]) throws(RunError) {
        guard let command = arguments.first else {
            writeOutput(overview)
            return
        }
        let rest = Array(arguments.dropFirst())
        switch command {
        case "recv": try RecvCommand.run(rest)
        case "send": try SendCommand.run(rest)
        case "echo": try EchoCommand.run(rest)
        case "ping": try PingCommand.run(rest)
        case "demo": try DemoCommand.run(rest)
        case "doctor": try DoctorCommand.run(rest)
        case "lab": try LabCommand.run(rest)
        case "ndr": try NDRCommand.run(rest)
        case "plot": try PlotCommand.run(rest)
        case "serve": try ServeCommand.run(rest)
        case "help", "-h", "--help":
            switch rest.first {
            case "recv": try RecvCommand.run(["--help"])
            case "send": try SendCommand.run(["--help"])
            case "echo": try EchoCommand.run(["--help"])
            case "ping": try PingCommand.run(["--help"])
            case "demo": try DemoCommand.run(["--help"])
            case "doctor": try DoctorCommand.run(["--help"])
            case "lab": try LabCommand.run(["--help"])
            case "ndr": try NDRCommand.run(["--help"])
            case "plot": try PlotCommand.run(["--help"])
            case "serve": try ServeCommand.run(["--help"])
            default: writeOutput(overview)
            }
        case "--version", "version":
            writeOutput("mpps \(version)\n")
        default:
            throw RunError("mpps: unknown command '\(command)' (commands: recv, send, echo, ping, demo, doctor, lab, ndr, plot, serve, help; see 'mpps --help')",
                           status: RunError.usage)
        }
    }
}
