#if canImport(Glibc)
import Glibc
#endif
import HostStats
import PacketIO
import Reporting

/// `mpps serve`: a control server on the receiving host. One thread, one
/// `poll` over the listening socket and every connection, so no client can
/// block another for longer than a receiver takes to start or stop; one
/// child at a time, `mpps recv --json --quiet` (or `mpps echo`, for ping),
/// owned by the connection that started it and stopped when that connection
/// goes. The protocol is ``ServeProtocol``'s.
package final class ServeServer {
    private let options: ServeOptions
    private let listener: StreamListener
    /// The address bound (with the real port when 0 was asked).
    package var address: SocketAddress { listener.address }
    private var sessions: [ServeSession] = []
    private var receiver: RunningReceiver?
    private var nextSession = 1

    /// The receiver (or echo) running now, and the session that owns it.
    private struct RunningReceiver {
        let child: ChildProcess
        let program: ServeProtocol.Program
        let owner: Int
        let port: UInt16?
    }

    /// Binds and listens; every error comes before the first client.
    package init(_ options: ServeOptions) throws(RunError) {
        self.options = options
        do throws(SocketError) {
            listener = try StreamListener(listeningOn: options.listen, backlog: 16)
        } catch {
            throw RunError(StreamListener.failureMessage(error, listening: options.listen,
                                                         inUse: "another mpps serve? choose another --listen port"))
        }
    }

    deinit {
        // Every path out: the receiver stops, every connection and the listener close.
        receiver?.child.terminate(grace: 2)
        receiver = nil
        sessions.removeAll()
    }

    /// Serves until a stop signal comes through `watch`.
    package func serve(until watch: StopSignalWatch) throws(RunError) {
        while !watch.check() {
            var descriptors = [pollfd(fd: listener.descriptor, events: Int16(POLLIN), revents: 0)]
            descriptors += sessions.map { pollfd(fd: $0.connection.descriptor, events: Int16(POLLIN), revents: 0) }
            do {
                _ = try Syscalls.poll(&descriptors, milliseconds: 100)
            } catch {
                throw RunError("mpps serve: \(error)")
            }
            if descriptors[0].revents != 0 { acceptWaiting() }
            for (index, session) in sessions.enumerated() where descriptors.count > index + 1 && descriptors[index + 1].revents != 0 {
                read(session)
            }
            expire()
            sessions.removeAll { $0.closed }
        }
    }

    // MARK: Connections

    private func acceptWaiting() {
        while true {
            let accepted: IOResult<StreamSocket>
            do throws(SocketError) { accepted = try listener.accept() } catch { return }
            let connection: LineConnection
            switch consume accepted {
            case .wouldBlock: return
            case .done(let socket): connection = LineConnection(socket)
            }
            guard sessions.count < options.maximumConnections else {
                connection.write(ServeProtocol.error("too many connections (\(options.maximumConnections)): try again later"))
                log(connection.peer, "refused: too many connections")
                continue
            }
            let session = ServeSession(id: nextSession, connection: connection, nonce: ServeProtocol.nonce(),
                                       deadline: deadline(seconds: options.readTimeout))
            nextSession += 1
            sessions.append(session)
        }
    }

    private func read(_ session: ServeSession) {
        while !session.closed {
            switch session.connection.readAvailable() {
            case .nothing: return
            case .closed:
                close(session, reason: nil)
            case .tooLong:
                fail(session, "message longer than \(LineConnection.maximumLine) bytes: send one JSON object per line", closing: true)
            case .line(let line):
                session.messages += 1
                guard session.messages <= ServeProtocol.maximumMessages else {
                    fail(session, "more than \(ServeProtocol.maximumMessages) messages on one connection: connect again", closing: true)
                    return
                }
                session.deadline = deadline(seconds: options.readTimeout)
                switch ServeProtocol.parse(line) {
                case .failure(let error): fail(session, error.description, closing: true)
                case .success(let request): handle(request, from: session)
                }
                if let running = receiver, running.owner == session.id {
                    // The owner of a running receiver waits for its trial: silence is bounded by the receiver's longest run.
                    session.deadline = deadline(seconds: options.longestRun + options.readTimeout)
                }
            }
        }
    }

    /// Drops sessions that stayed silent too long. The owner of a running
    /// receiver waits for its trial: its deadline is the receiver's longest run.
    private func expire() {
        let now = MonotonicClock.now()
        for session in sessions where !session.closed && now >= session.deadline {
            fail(session, "no message within \(Units.plain(options.readTimeout)) s: closing", closing: true)
        }
    }

    private func close(_ session: ServeSession, reason: String?) {
        session.closed = true
        if let running = receiver, running.owner == session.id {
            // The client went mid-trial: its receiver stops, its sockets close.
            running.child.terminate(grace: 2)
            receiver = nil
            log(session.connection.peer, "closed with a \(running.program.role) running: stopped it (pid \(running.child.pid))")
        }
        if let reason { log(session.connection.peer, reason) }
    }

    private func fail(_ session: ServeSession, _ message: String, closing: Bool) {
        session.connection.write(ServeProtocol.error(message))
        log(session.connection.peer, message)
        if closing { close(session, reason: nil) }
    }

    // MARK: Requests

    private func handle(_ request: ServeProtocol.Request, from session: ServeSession) {
        switch (session.phase, request) {
        case (.greeting, .hello(let version)):
            guard version == ServeProtocol.version else {
                fail(session, "protocol version \(version) is not spoken here: this server speaks \(ServeProtocol.version) (run the same mpps on both hosts)", closing: true)
                return
            }
            let cpus = CPUList.allowed().cpus
            session.connection.write(["type": "hello", "version": .int(ServeProtocol.version), "nonce": .string(SHA256.hex(session.nonce)),
                                      "key": .bool(options.key != nil), "cpus": .ints(cpus)])
            session.phase = options.key == nil ? .ready : .proving
        case (.greeting, _):
            fail(session, "say hello first: {\"type\":\"hello\",\"version\":\(ServeProtocol.version)}", closing: true)
        case (.proving, .auth(let clientNonce, let mac)):
            let expected = ServeProtocol.proof(key: options.key ?? [], serverNonce: session.nonce, clientNonce: clientNonce)
            guard SHA256.constantTimeEqual(expected, mac) else {
                fail(session, "authentication failed: the proof does not match this server's key (give the client the same --key-file)", closing: true)
                return
            }
            session.phase = .ready
            session.connection.write(["type": "ok"])
        case (.proving, _):
            fail(session, "authenticate first: this server needs the shared key (give the client --key-file)", closing: true)
        case (.ready, .hello), (.ready, .auth):
            fail(session, "hello and auth come once, first", closing: true)
        case (.ready, .start(let program, let arguments)):
            start(program, arguments, for: session)
        case (.ready, .stop):
            stop(for: session)
        }
    }

    private func start(_ program: ServeProtocol.Program, _ arguments: [String], for session: ServeSession) {
        if let running = receiver {
            fail(session, running.owner == session.id
                 ? "a \(running.program.role) is already running for this connection: stop it first"
                 : "busy: another client's \(running.program.role) is running; try again when it stops", closing: false)
            return
        }
        if let error = options.check(program, arguments) {
            fail(session, error.description, closing: false)
            return
        }
        let hasDuration = arguments.contains { $0 == "--duration" || $0.hasPrefix("--duration=") }
        let argv = [options.executable, program.rawValue] + arguments + ["--json", "--quiet"]
            + (program == .recv ? options.metrics.map { ["--metrics", $0] } ?? [] : [])
            + (hasDuration ? [] : ["--duration", Units.plain(options.longestRun)])
        let child: ChildProcess
        do throws(RunError) { child = try ChildProcess(argv) } catch {
            fail(session, error.description, closing: false)
            return
        }
        // Wait for its ready line; the other connections wait meanwhile (at most this long).
        let readyBy = deadline(seconds: PairTrial.readySeconds)
        while true {
            switch PairTrial.readiness(of: child.output) {
            case .ready(let line):
                let port = line["address"]?.string.flatMap { try? SocketAddress(parsing: $0) }?.port
                receiver = RunningReceiver(child: child, program: program, owner: session.id, port: port)
                session.connection.write(line)
                log(session.connection.peer, "started mpps \(program.rawValue) \(arguments.joined(separator: " ")) (pid \(child.pid))")
                return
            case .unexpected(let line):
                child.terminate(grace: 1)
                fail(session, "the \(program.role) printed '\(line)' where its ready line belongs", closing: false)
                return
            case .waiting: break
            }
            if let status = child.exitStatus() {
                fail(session, child.lastErrorLine ?? "the \(program.role) ended with \(status)", closing: false)
                return
            }
            if MonotonicClock.now() >= readyBy {
                child.terminate(grace: 1)
                fail(session, "the \(program.role) did not say it was ready within \(Int(PairTrial.readySeconds)) s", closing: false)
                return
            }
            MonotonicClock.sleep(until: MonotonicClock.now() &+ 5_000_000)
        }
    }

    private func stop(for session: ServeSession) {
        guard let running = receiver, running.owner == session.id else {
            fail(session, "no receiver of this connection is running: start one first", closing: false)
            return
        }
        receiver = nil
        let child = running.child
        // As a local trial does: let the receiver empty its socket before it stops.
        if let port = running.port {
            let drainedBy = deadline(seconds: PairTrial.drainLimitSeconds)
            while child.exitStatus() == nil && (UDPReceiveQueue.bytes(port: port, processID: child.pid) ?? 0) > 0
                    && MonotonicClock.now() < drainedBy {
                MonotonicClock.sleep(until: MonotonicClock.now() &+ 20_000_000)
            }
        }
        child.signal(SIGINT)
        guard let status = child.wait(seconds: 5) else {
            child.terminate(grace: 0)
            fail(session, "the \(running.program.role) did not end within 5 s of SIGINT", closing: false)
            return
        }
        guard status == .exited(0), let summary = JSONValue.lastObject(ofType: "summary", in: child.output) else {
            fail(session, "the \(running.program.role) ended with \(status): " + (child.lastErrorLine ?? "no summary"), closing: false)
            return
        }
        session.connection.write(summary)
        log(session.connection.peer, "stopped the \(running.program.role) (pid \(child.pid))")
    }

    // MARK: Helpers

    private func deadline(seconds: Double) -> UInt64 { Units.deadline(MonotonicClock.now(), plusSeconds: seconds) }

    private func log(_ peer: String, _ message: String) {
        writeError("mpps serve: \(peer): \(message)")
    }
}

/// One client's connection and where it is in the protocol.
final class ServeSession {
    /// Where the session is: waiting for hello, for the key's proof, or for requests.
    enum Phase { case greeting, proving, ready }

    /// The session's number, which owns a receiver it started.
    let id: Int
    /// The client's connection.
    let connection: LineConnection
    /// This session's fresh nonce, sent in the hello.
    let nonce: [UInt8]
    /// What the session may say next.
    var phase = Phase.greeting
    /// Lines received so far, against ``ServeProtocol/maximumMessages``.
    var messages = 0
    /// When the server drops the connection unless a message comes.
    var deadline: UInt64
    /// True once the server is done with it (removed after the current round).
    var closed = false

    /// A session that has just connected.
    init(id: Int, connection: LineConnection, nonce: [UInt8], deadline: UInt64) {
        self.id = id
        self.connection = connection
        self.nonce = nonce
        self.deadline = deadline
    }
}
