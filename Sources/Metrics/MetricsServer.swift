#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import PacketIO
import Reporting
import Engine

/// A small HTTP/1.1 server for one page, `/metrics`, built to face strangers:
/// a fixed pool of threads (so at most ``Limits/connections`` clients are
/// served at once; more wait in the kernel's listen queue), one request per
/// connection, a deadline on reading it, a size limit on its head, and no
/// path that ever maps to a file. Its owner binds it (errors before anything
/// starts), starts it with the page to serve, and stops it; `deinit` stops it
/// too, so the threads and the descriptor are released on every path.
package final class MetricsServer: @unchecked Sendable {
    /// How much a client may take.
    package struct Limits: Sendable {
        /// Clients served at once: the threads of the pool.
        package var connections = 4
        /// Seconds a client has to send its request line and headers.
        package var readSeconds = 5.0
        /// Seconds a client has to take the response.
        package var writeSeconds = 2.0
        /// Default limits.
        package init() {}
    }

    /// The address listened on, with the real port when port 0 was asked.
    package var address: SocketAddress { pool.listener.address }
    private let pool: ServerPool
    // Safety: `threads` is touched only by the owner (start, stop, deinit), never by the pool,
    // whose threads hold the ServerPool and not this object: dropping the server stops them.
    private var threads: [NativeThread] = []
    private let closed = Atomic<Bool>(false)

    /// How often an idle pool thread looks at the stop request; stop() also wakes it at once.
    static let acceptWakeMilliseconds: UInt64 = 250
    /// Connections the kernel queues while every thread is busy.
    static let backlog: Int32 = 16

    /// Binds `listen` and listens. A failure is one line for `flag` (`--metrics`) with exit status 1.
    package init(listen: SocketAddress, flag: String = "--metrics", limits: Limits = Limits()) throws(RunError) {
        do throws(SocketError) {
            pool = ServerPool(listener: try StreamListener(listeningOn: listen, backlog: Self.backlog), limits: limits)
        } catch {
            let message = StreamListener.failureMessage(error, listening: listen, inUse: "another program holds it: choose another port")
            throw RunError("\(flag): \(message)")
        }
    }

    /// Starts the pool; each GET of /metrics is answered with `page()`, called
    /// on a pool thread (so it must be safe to call from several at once).
    /// With `avoiding`, the CPUs receiving threads are pinned to, the pool runs
    /// on the other CPUs this process may use (when there are any), so a scrape
    /// never takes a receiving thread's CPU.
    package func start(avoiding busy: [Int] = [], page: @escaping @Sendable () -> String) throws(RunError) {
        precondition(threads.isEmpty, "MetricsServer started twice")
        let pool = self.pool
        let free = CPUList.allowed().cpus.filter { !busy.contains($0) }
        let place = busy.isEmpty || free.isEmpty ? nil : CPUList(free)
        for index in 0..<pool.limits.connections {
            do {
                threads.append(try NativeThread {
                    // Best effort: unpinned, the pool still serves.
                    if let place { try? place.pinCurrentThread() }
                    pool.serveUntilStopped(page: page)
                })
            } catch {
                stop()
                throw RunError("--metrics: cannot start server thread \(index): \(error)")
            }
        }
    }

    /// Stops the pool and the listener (connections are refused from now on)
    /// and waits for its threads (a request being read ends at its next read
    /// wake-up); the descriptor closes with the server. Calling it again does nothing.
    package func stop() {
        guard !closed.load(ordering: .relaxed) else { return }
        pool.stopping.store(true, ordering: .relaxed)
        // Wakes every thread waiting for a connection at once.
        pool.listener.stop()
        for thread in threads { thread.join() }
        threads = []
        closed.store(true, ordering: .relaxed)
    }

    deinit { stop() }
}

/// What the server's threads share: the listener, the limits and the stop
/// request. Each thread takes a connection, answers it, closes it, and again.
private final class ServerPool: Sendable {
    let listener: StreamListener
    let limits: MetricsServer.Limits
    let stopping = Atomic<Bool>(false)

    /// The longest a read waits before the deadline and the stop request are looked at again.
    static let readWakeMilliseconds: UInt64 = 100

    init(listener: consuming StreamListener, limits: MetricsServer.Limits) {
        self.listener = listener
        self.limits = limits
    }

    private var isStopping: Bool { stopping.load(ordering: .relaxed) }

    func serveUntilStopped(page: @Sendable () -> String) {
        while !isStopping {
            guard listener.waitForConnection(milliseconds: MetricsServer.acceptWakeMilliseconds) else { continue }
            let accepted: IOResult<StreamSocket>
            do throws(SocketError) { accepted = try listener.accept() } catch {
                // EINVAL: stop() shut the listener down. Otherwise out of descriptors or
                // memory: wait rather than spin, and try again.
                if isStopping { return }
                MonotonicClock.pause(nanoseconds: 100_000_000)
                continue
            }
            switch consume accepted {
            case .wouldBlock: continue  // another thread took it
            case .done(let connection): answer(connection, page: page)  // closes as it goes
            }
        }
    }

    /// Reads one request head (within the deadline and the size limit), sends
    /// the response, and lets the client read it before the connection closes.
    /// The connection is non-blocking: every wait is a `poll` with a timeout.
    private func answer(_ connection: borrowing StreamSocket, page: () -> String) {
        let deadline = Units.deadline(MonotonicClock.now(), plusSeconds: limits.readSeconds)
        var head: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var parse = HTTPRequest.Parse.incomplete
        while parse == .incomplete {
            if isStopping { return }
            // The deadline is for the whole head: a client dripping a byte at a time is dropped too.
            guard MonotonicClock.now() < deadline else { break }  // too slow: 408
            guard Self.wait(connection, for: POLLIN, until: deadline) else { continue }
            let result: IOResult<Int>
            do throws(SocketError) { result = try connection.receive(into: &chunk) } catch {
                return  // reset by the peer: no one to answer
            }
            guard case .done(let count) = result else { continue }
            if count == 0 { return }  // the client left before finishing its request
            head += chunk[0..<count]
            // Parse again only when the new bytes can change the answer: a line ended, a byte
            // no request line holds, or the limit reached; a client dripping bytes costs no rescans.
            if chunk[0..<count].contains(where: { $0 == UInt8(ascii: "\n") || $0 < 0x20 || $0 >= 0x7F })
                || head.count >= HTTPRequest.maximumHeadBytes {
                parse = HTTPRequest.parse(head)
            }
        }
        let response = HTTPResponse.bytes(for: parse, page: page)
        let sendDeadline = Units.deadline(MonotonicClock.now(), plusSeconds: limits.writeSeconds)
        guard connection.sendAll(response, until: sendDeadline, sliceMilliseconds: Self.readWakeMilliseconds,
                                 giveUp: { isStopping }) else { return }
        // Closing with unread bytes queued would reset the connection, and the client could
        // lose the response: end our side, then drain what it still sends, within limits.
        connection.shutdownWriting()
        let drainDeadline = Units.deadline(MonotonicClock.now(), plusSeconds: 1)
        var drained = 0
        while drained < 65536 && MonotonicClock.now() < drainDeadline && !isStopping {
            guard Self.wait(connection, for: POLLIN, until: drainDeadline) else { continue }
            let result: IOResult<Int>
            do throws(SocketError) { result = try connection.receive(into: &chunk) } catch {
                break                                        // reset
            }
            guard case .done(let count) = result else { continue }  // nothing yet
            if count == 0 { break }                          // the client closed: done
            drained += count
        }
    }

    /// Waits for `events` on `connection`, at most until `deadline` and never
    /// longer than the read wake-up (so a stop request is seen); true when
    /// something happened (an error or hang-up too: the next call says which).
    private static func wait(_ connection: borrowing StreamSocket, for events: Int32, until deadline: UInt64) -> Bool {
        (try? connection.wait(for: Int16(events), until: deadline, sliceMilliseconds: readWakeMilliseconds)) ?? false
    }
}
