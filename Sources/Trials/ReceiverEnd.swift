#if canImport(Glibc)
import Glibc
#endif
import HostStats
import PacketIO
import Reporting

/// The receiving end of a trial: a child `mpps recv` on this host
/// (``LocalReceiverEnd``) or one that `mpps serve` runs on another
/// (``RemoteReceiverEnd``). ``PairTrial`` starts it, runs its sender, and stops
/// it, the same way for both.
package protocol ReceiverEnd: AnyObject {
    /// Starts a receiver with `arguments` (`mpps recv ...` as for a local child,
    /// `--json` included) and waits until it reads; its ready line, or nil if a
    /// stop signal came.
    func start(_ arguments: [String], watch: StopSignalWatch) throws(RunError) -> JSONValue?
    /// Lets the receiver read what is queued, stops it and returns its summary
    /// line, or nil if a stop signal came.
    func stop(watch: StopSignalWatch) throws(RunError) -> JSONValue?
    /// Ends a receiver still running (on an error or a signal); harmless after ``stop(watch:)``.
    func end()
}

/// A receiver that is a child process of this mpps, maybe inside a namespace.
package final class LocalReceiverEnd: ReceiverEnd {
    private let executable: String
    private let namespace: String?
    private var child: ChildProcess?
    private var arguments: [String] = []
    private var port: UInt16?

    /// A receiver run as `executable`, inside `namespace` when given.
    package init(executable: String, namespace: String?) {
        self.executable = executable
        self.namespace = namespace
    }

    /// Starts the child and waits for its ready line (``PairTrial/readySeconds`` at most).
    package func start(_ arguments: [String], watch: StopSignalWatch) throws(RunError) -> JSONValue? {
        self.arguments = arguments
        let receiving = try ChildProcess(TrialPlace.argv(arguments, program: executable, namespace: namespace))
        child = receiving
        let readyBy = Units.deadline(MonotonicClock.now(), plusSeconds: PairTrial.readySeconds)
        while true {
            switch PairTrial.readiness(of: receiving.output) {
            case .ready(let line):
                port = line["address"]?.string.flatMap { try? SocketAddress(parsing: $0) }?.port
                return line
            case .unexpected(let line):
                throw RunError("the receiver (\(shown)) printed '\(line)' where its ready line belongs")
            case .waiting: break
            }
            if let status = receiving.exitStatus() {
                throw RunError("the receiver (\(shown)) ended with \(status): " + (receiving.lastErrorLine ?? "no message"))
            }
            if MonotonicClock.now() >= readyBy {
                throw RunError("the receiver (\(shown)) did not say it was ready within \(Int(PairTrial.readySeconds)) s")
            }
            if watch.sleep(seconds: 0.005) { return nil }
        }
    }

    /// Waits until the child's socket is empty (``PairTrial/drainLimitSeconds`` at most), then SIGINT; its summary.
    package func stop(watch: StopSignalWatch) throws(RunError) -> JSONValue? {
        guard let receiving = child else { throw RunError("no receiver to stop (a bug)") }
        if watch.sleep(seconds: PairTrial.drainSeconds) { return nil }
        if let port {
            let drainedBy = Units.deadline(MonotonicClock.now(), plusSeconds: PairTrial.drainLimitSeconds)
            while (UDPReceiveQueue.bytes(port: port, processID: receiving.pid) ?? 0) > 0 && MonotonicClock.now() < drainedBy {
                if watch.sleep(seconds: 0.02) { return nil }
            }
        }
        receiving.signal(SIGINT)
        guard let status = receiving.wait(seconds: 5) else {
            throw RunError("the receiver (\(shown)) did not end within 5 s of SIGINT")
        }
        guard status == .exited(0) else {
            throw RunError("the receiver (\(shown)) ended with \(status): " + (receiving.lastErrorLine ?? "no message"))
        }
        guard let summary = JSONValue.lastObject(ofType: "summary", in: receiving.output) else {
            throw RunError("the receiver (\(shown)) printed no JSON summary")
        }
        return summary
    }

    /// Ends the child if it still runs (SIGTERM, then SIGKILL after 2 s).
    package func end() {
        child?.terminate(grace: 2)
        child = nil
    }

    private var shown: String { "mpps \(arguments.joined(separator: " "))" }
}

/// A receiver that `mpps serve` runs on another host: one connection per
/// receiver, so that closing it (on any path out) stops the receiver there.
package final class RemoteReceiverEnd: ReceiverEnd {
    private let server: String
    private let key: [UInt8]?
    private var client: ServeClient?

    /// A receiver on the `mpps serve` at `server` (`HOST[:PORT]`), proving `key` if it asks.
    package init(server: String, key: [UInt8]?) {
        self.server = server
        self.key = key
    }

    /// The arguments as the server takes them: without `recv` and `--json`, which it adds itself.
    package static func serverArguments(_ arguments: [String]) -> [String] {
        Array(arguments.drop { $0 == "recv" }).filter { $0 != "--json" && $0 != "--quiet" }
    }

    /// Opens a session with the server and asks it to start the receiver; its ready line.
    package func start(_ arguments: [String], watch: StopSignalWatch) throws(RunError) -> JSONValue? {
        let session = try ServeClient(server: server, key: key)
        client = session
        if watch.check() { return nil }
        return try session.start(Self.serverArguments(arguments))
    }

    /// Asks the server to stop the receiver (it waits for the socket to empty); its summary.
    package func stop(watch: StopSignalWatch) throws(RunError) -> JSONValue? {
        guard let session = client else { throw RunError("no receiver to stop (a bug)") }
        // A moment for datagrams in flight between the hosts; the server then waits for the socket to empty.
        if watch.sleep(seconds: PairTrial.drainSeconds) { return nil }
        let summary = try session.stop()
        client = nil
        return summary
    }

    /// Closes the session: the server stops a receiver still running.
    package func end() { client = nil }
}
