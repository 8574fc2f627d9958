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
    package let address: SocketAddress
    private let pool: ServerPool
    // Safety: `threads` is touched only by the owner (start, stop, deinit), never by the pool,
    // whose threads hold the ServerPool and not this object: dropping the server stops them.
    private var threads: [NativeThread] = []
    private let closed = Atomic<Bool>(false)

    /// How often an idle pool thread looks at the stop request; stop() also wakes it at once.
    static let acceptWakeMilliseconds = 250
    /// Connections the kernel queues while every thread is busy.
    static let backlog: Int32 = 16

    /// Opens a TCP socket, binds it to `listen` and listens. A failure is one
    /// line for `flag` (`--metrics`) with exit status 1.
    package init(listen: SocketAddress, flag: String = "--metrics", limits: Limits = Limits()) throws(RunError) {
        let descriptor: Int32
        do {
            descriptor = try Syscalls.socket(domain: listen.family == .inet ? AF_INET : AF_INET6,
                                             type: Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
        } catch {
            throw RunError("\(flag): cannot open a TCP socket: \(error)")
        }
        do {
            // A restarted receiver may bind while the last one's connections sit in TIME_WAIT.
            try Syscalls.setOption(descriptor, SOL_SOCKET, SO_REUSEADDR, Int32(1), "setsockopt(SO_REUSEADDR)")
            let wake = timeval(tv_sec: Self.acceptWakeMilliseconds / 1000, tv_usec: (Self.acceptWakeMilliseconds % 1000) * 1000)
            try Syscalls.setOption(descriptor, SOL_SOCKET, SO_RCVTIMEO, wake, "setsockopt(SO_RCVTIMEO)")
        } catch {
            Syscalls.close(descriptor)
            throw RunError("\(flag): cannot set up the TCP socket: \(error)")
        }
        do {
            try Syscalls.bind(descriptor, to: listen)
            try Syscalls.listen(descriptor, backlog: Self.backlog)
            address = try Syscalls.localAddress(descriptor)
        } catch {
            Syscalls.close(descriptor)
            throw Self.bindError(error, address: listen, flag: flag)
        }
        pool = ServerPool(listener: descriptor, limits: limits)
    }

    /// The one line for a failed bind or listen.
    static func bindError(_ error: SocketError, address: SocketAddress, flag: String) -> RunError {
        let prefix = "\(flag): cannot listen on \(address)"
        switch error.code {
        case EADDRINUSE:
            return RunError("\(prefix): address already in use (another program holds it: choose another port)")
        case EACCES:
            return RunError("\(prefix): permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE: choose a port of 1024 or more)")
        case EADDRNOTAVAIL:
            return RunError("\(prefix): no local interface has that address (use 127.0.0.1, 0.0.0.0, or an address 'ip addr' lists)")
        default:
            return RunError("\(prefix): \(error)")
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

    /// Stops the pool, waits for its threads (a request being read ends at
    /// its next read wake-up) and closes the listener. Calling it again does nothing.
    package func stop() {
        guard !closed.load(ordering: .relaxed) else { return }
        pool.stopping.store(true, ordering: .relaxed)
        // Wakes every thread blocked in accept at once.
        Syscalls.shutdown(pool.listener)
        for thread in threads { thread.join() }
        threads = []
        closed.store(true, ordering: .relaxed)
        Syscalls.close(pool.listener)
    }

    deinit { stop() }
}

/// What the server's threads share: the listener, the limits and the stop
/// request. Each thread takes a connection, answers it, closes it, and again.
private final class ServerPool: Sendable {
    let listener: Int32
    let limits: MetricsServer.Limits
    let stopping = Atomic<Bool>(false)

    /// The longest a read waits before the deadline and the stop request are looked at again.
    static let readWakeMilliseconds = 100

    init(listener: Int32, limits: MetricsServer.Limits) {
        self.listener = listener
        self.limits = limits
    }

    /// One `recv` into `chunk`: the count, 0 at the end, nil at a timeout.
    private static func receive(_ connection: Int32, into chunk: inout [UInt8]) throws(SocketError) -> Int? {
        var failure: SocketError?
        let count = chunk.withUnsafeMutableBytes { buffer -> Int? in
            do throws(SocketError) { return try Syscalls.receive(connection, into: buffer) } catch {
                failure = error
                return nil
            }
        }
        if let failure { throw failure }
        return count
    }

    private var isStopping: Bool { stopping.load(ordering: .relaxed) }

    func serveUntilStopped(page: @Sendable () -> String) {
        while !isStopping {
            let connection: Int32?
            do throws(SocketError) { connection = try Syscalls.accept(listener) } catch {
                // EINVAL: stop() shut the listener down. Otherwise out of descriptors or
                // memory: wait rather than spin, and try again.
                if isStopping { return }
                MonotonicClock.pause(nanoseconds: 100_000_000)
                continue
            }
            guard let connection else { continue }
            answer(connection, page: page)
            Syscalls.close(connection)
        }
    }

    /// Reads one request head (within the deadline and the size limit), sends
    /// the response, and lets the client read it before the connection closes.
    /// The connection is non-blocking (``Syscalls/accept(_:)`` makes it so):
    /// every wait is a `poll` with a timeout.
    private func answer(_ connection: Int32, page: () -> String) {
        let deadline = Units.deadline(MonotonicClock.now(), plusSeconds: limits.readSeconds)
        var head: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var parse = HTTPRequest.Parse.incomplete
        while parse == .incomplete {
            if isStopping { return }
            // The deadline is for the whole head: a client dripping a byte at a time is dropped too.
            guard MonotonicClock.now() < deadline else { break }  // too slow: 408
            guard Self.wait(connection, for: POLLIN, until: deadline) else { continue }
            let count: Int?
            do throws(SocketError) {
                count = try Self.receive(connection, into: &chunk)
            } catch {
                return  // reset by the peer: no one to answer
            }
            guard let count else { continue }
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
        guard send(response, on: connection) else { return }
        // Closing with unread bytes queued would reset the connection, and the client could
        // lose the response: end our side, then drain what it still sends, within limits.
        Syscalls.shutdown(connection, writingOnly: true)
        let drainDeadline = Units.deadline(MonotonicClock.now(), plusSeconds: 1)
        var drained = 0
        while drained < 65536 && MonotonicClock.now() < drainDeadline && !isStopping {
            guard Self.wait(connection, for: POLLIN, until: drainDeadline) else { continue }
            let count: Int?
            do throws(SocketError) {
                count = try Self.receive(connection, into: &chunk)
            } catch {
                break                                // reset
            }
            guard let count else { continue }        // nothing yet
            if count == 0 { break }                  // the client closed: done
            drained += count
        }
    }

    /// Sends all of `bytes` within the write limit; false when the client is
    /// gone or too slow to take them.
    private func send(_ bytes: [UInt8], on connection: Int32) -> Bool {
        let deadline = Units.deadline(MonotonicClock.now(), plusSeconds: limits.writeSeconds)
        var offset = 0
        while offset < bytes.count {
            // Nil when the client is gone (a reset, a closed pipe).
            let taken = bytes.withUnsafeBytes { buffer -> Int? in
                do throws(SocketError) {
                    return try Syscalls.sendStream(connection, UnsafeRawBufferPointer(rebasing: buffer[offset...]))
                } catch {
                    return nil
                }
            }
            guard let sent = taken else { return false }
            offset += sent
            if sent == 0 {
                guard MonotonicClock.now() < deadline, !isStopping else { return false }
                _ = Self.wait(connection, for: POLLOUT, until: deadline)
            }
        }
        return true
    }

    /// Waits for `events` on `connection`, at most until `deadline` and never
    /// longer than the read wake-up (so a stop request is seen); true when
    /// something happened (an error or hang-up too: the next call says which).
    private static func wait(_ connection: Int32, for events: Int32, until deadline: UInt64) -> Bool {
        let now = MonotonicClock.now()
        guard now < deadline else { return false }
        let milliseconds = min(UInt64(readWakeMilliseconds), (deadline - now) / 1_000_000 + 1)
        var descriptors = [pollfd(fd: connection, events: Int16(events), revents: 0)]
        let ready = (try? Syscalls.poll(&descriptors, milliseconds: Int32(milliseconds))) ?? 0
        return ready > 0
    }
}
