import PacketIO
import Reporting

/// `mpps send --server HOST TARGET...`: a receiver on the server's host, a
/// sender here (a child `mpps send --json`), then both summaries and the
/// two-host account: sent = received + lost, lost by cause from the
/// receiver's own kernel counters.
package enum RemoteSend {
    /// Runs the pair. `sender` is `mpps send`'s arguments (`send`, the targets,
    /// the options, `--json`); the receiver listens on every address of the
    /// server's host at `port`. `senderSeconds` bounds the sender's run.
    package static func run(server: String, key: [UInt8]?, sender: [String], port: UInt16, family: SocketAddress.Family,
                            senderSeconds: Double, json: Bool) throws(RunError) {
        let watch = StopSignalWatch()
        defer { watch.restore() }
        let receiver = ["recv", "\(SocketAddress.wildcard(family, port: port))", "--json"]
        let place = TrialPlace(executable: ChildProcess.currentExecutable())
        guard let (receiverSummary, senderSummary) = try PairTrial.summaries(
            receiver: receiver, sender: sender, place: place, senderSeconds: senderSeconds, watch: watch,
            receiverEnd: RemoteReceiverEnd(server: server, key: key)) else {
            throw RunError("mpps send: stopped by a signal before the receiver's summary")
        }
        let measurement = try TrialMeasurement.parse(receiver: receiverSummary, sender: senderSummary).get()
        if json {
            JSONSink.write(["type": "receiver", "server": .string(server), "summary": receiverSummary])
            JSONSink.write(["type": "sender", "summary": senderSummary])
            JSONSink.write(measurement.account.json)
        } else {
            writeOutput(text(receiver: receiverSummary, sender: senderSummary, server: server, port: port)
                + measurement.account.text)
        }
    }

    /// The two summaries side by side, a line each, for people.
    package static func text(receiver: JSONValue, sender: JSONValue, server: String, port: UInt16) -> String {
        func number(_ value: JSONValue?) -> String { value?.count.map { "\($0)" } ?? "?" }
        func seconds(_ value: JSONValue?) -> String { value?.double.map { Units.fixed($0, decimals: 3) } ?? "?" }
        func rate(_ value: JSONValue?) -> String { value?.double.map { Units.fixed($0 / 1e6, decimals: 3) + "M" } ?? "?" }
        let kernel = receiver["kernel"]
        return "receiver on \(server) (port \(port)): \(number(receiver["packets"])) datagrams, \(number(receiver["bytes"])) bytes "
            + "in \(seconds(receiver["seconds"])) s, pps mean \(rate(receiver["pps_mean"])); "
            + "dropped at its socket \(number(receiver["socket_drops"])); its host's UDP counters: "
            + "InDatagrams \(number(kernel?["udp_in"])), RcvbufErrors \(number(kernel?["rcvbuf_errors"])), "
            + "InErrors \(number(kernel?["in_errors"])), NoPorts \(number(kernel?["no_ports"]))\n"
            + "sender here: \(number(sender["packets"])) datagrams, \(number(sender["bytes"])) bytes "
            + "in \(seconds(sender["seconds"])) s, pps mean \(rate(sender["pps_mean"])); refused \(number(sender["refused"]))\n"
    }
}
