import Engine
import PacketIO
import Reporting
import Trials

/// `mpps ping --server HOST [TARGET]`: the echo runs under the `mpps serve` on
/// HOST (listening on every address at TARGET's port), the ping here. After the
/// ping's last reply is in or late, the echo is stopped and its summary says
/// which lost requests reached it: dropped at its socket, or not answered by it;
/// and its per-flow gaps, which lost requests never reached its socket. Those come
/// out of the never answered ones, so `sent = replies + lost` still closes, now
/// with a cause on each host.
enum RemotePing {
    /// `--server`, `--key-file` and `--echo-options`, as read from the command line.
    struct Request {
        let server: String
        let key: [UInt8]?
        /// The echo's options, from the server's allow-list (``ServeCommand/echoClientOptions``).
        let echoOptions: [String]

        /// nil without `--server` (and then neither `--key-file` nor `--echo-options` may be given).
        init?(_ arguments: Arguments) throws(RunError) {
            var server: String?
            var key: [UInt8]?
            try ClientOptions.read(arguments, into: &server, key: &key, exclusive: nil)
            let options = arguments.text("--echo-options").map { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
            guard let server else {
                if options != nil { throw arguments.usage("--echo-options goes with --server: they shape the remote echo") }
                return nil
            }
            // Checked here as the server will (the address is TARGET's, so none may be given).
            if let options, let problem = ServeCommand.check(.echo, ["0.0.0.0:4321"] + options, allowLowPorts: true) {
                throw arguments.usage("--echo-options: \(problem.description)")
            }
            self.server = server
            self.key = key
            echoOptions = options ?? []
        }
    }

    /// Starts the echo there, pings it here, stops it, and prints its summary and the ping's with the split account.
    static func run(_ ping: PingOptions, _ request: Request, interval: Double, duration: Double?,
                    printer: PingCommand.Printer) throws(RunError) {
        let client = try ServeClient(server: request.server, key: request.key)
        var echo = ["\(SocketAddress.wildcard(ping.target.family, port: ping.target.port))"] + request.echoOptions
        // Requests with sockperf's header need an echo that answers as sockperf's server does.
        if ping.sockperf && !echo.contains("--sockperf") { echo.append("--sockperf") }
        let ready = try client.startEcho(echo)
        if printer.json { JSONSink.write(["type": "echo", "server": .string(request.server), "ready": ready]) }
        if !printer.quiet { writeError(readyText(ready, server: request.server)) }
        var finished: PingSummary?
        var failure: RunError?
        var token: UInt32?
        do throws(RunError) {
            try PingSession.run(ping, interval: interval, duration: duration, announce: { run in
                token = run.token
                printer.ready(run)
            }, report: printer.interval, summary: { finished = $0 })
        } catch {
            failure = error
        }
        guard var summary = finished else { throw failure ?? RunError("mpps ping: no summary (a bug)") }
        let echoSummary: JSONValue
        do throws(RunError) { echoSummary = try client.stop() } catch {
            printer.summary(summary)  // the account still closes, without the echo's part
            throw error
        }
        summary.echoLosses = losses(echoSummary)
        summary.echoLostBefore = token.map { lostBefore(echoSummary, token: $0) }
        if printer.json {
            JSONSink.write(["type": "echo", "server": .string(request.server), "summary": echoSummary])
        } else {
            writeOutput(summaryText(echoSummary, server: request.server) + "\n")
        }
        printer.summary(summary)
        if let failure { throw failure }
    }

    /// The requests the echo's summary says it did not answer: `not_answered.total` plus
    /// `socket_drops` (when the echo could read them).
    static func losses(_ summary: JSONValue) -> UInt64 {
        let notAnswered = summary["not_answered"]?["total"]?.count ?? 0
        return notAnswered.addingSaturating(summary["socket_drops"]?.count ?? 0)
    }

    /// The gaps the echo counted in the flows of the run with `token` (its `ping_flows` accounts)
    /// beyond its socket's drops (which are among those gaps): requests lost before its socket.
    /// A lower bound: the drops may include strangers' datagrams, and flows past the accounts listed are left out.
    static func lostBefore(_ summary: JSONValue, token: UInt32) -> UInt64 {
        let accounts = summary["ping_flows"]?["accounts"]?.array ?? []
        let gaps = accounts.filter { $0["token"]?.count == UInt64(token) }
            .reduce(UInt64(0)) { $0.addingSaturating($1["lost_in"]?.count ?? 0) }
        let drops = summary["socket_drops"]?.count ?? 0
        return gaps > drops ? gaps - drops : 0
    }

    /// `mpps ping: the echo runs on HOST at [::]:4321 (pid N)`, for people.
    static func readyText(_ ready: JSONValue, server: String) -> String {
        "mpps ping: the echo runs on \(server) at \(ready["address"]?.string ?? "?") (pid \(ready["pid"]?.count.map { "\($0)" } ?? "?"))"
    }

    /// `echo on HOST: N requests = R replies + M not answered; D dropped at its socket`, for people.
    static func summaryText(_ summary: JSONValue, server: String) -> String {
        func number(_ value: JSONValue?) -> String { value?.count.map { "\($0)" } ?? "?" }
        return "echo on \(server): \(number(summary["requests"])) requests = \(number(summary["replies"])) replies + "
            + "\(number(summary["not_answered"]?["total"])) not answered; \(number(summary["socket_drops"])) dropped at its socket; "
            + "\(number(summary["ping_flows"]?["lost_in"])) lost on the way in (gaps in its ping flows)"
    }
}
