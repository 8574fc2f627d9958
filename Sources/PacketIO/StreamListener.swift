#if canImport(Glibc)
import Glibc
#endif

/// A listening TCP socket, owned: the descriptor closes when the value goes.
/// Non-blocking, like the connections it gives (``StreamSocket``): a server
/// waits for it in `poll` (``waitForConnection(milliseconds:)``, or beside its
/// connections) and ``accept()`` never blocks. For `mpps serve` and the
/// /metrics page; not a user API.
package struct StreamListener: ~Copyable, Sendable {
    /// The listening socket.
    package let descriptor: Int32
    /// The address bound, with the real port when port 0 was asked.
    package let address: SocketAddress

    /// Opens a TCP socket, lets it bind beside connections in TIME_WAIT (a
    /// restarted server's), binds it to `address` and listens; the socket is
    /// closed on every error. ``failureMessage(_:listening:inUse:)`` makes the error one line.
    /// The corresponding C functions are `socket(2)`, `setsockopt(2)` (`SO_REUSEADDR`),
    /// `bind(2)`, `listen(2)` and `getsockname(2)`.
    package init(listeningOn address: SocketAddress, backlog: Int32) throws(SocketError) {
        let descriptor = try Syscalls.streamSocket(address.family)
        do throws(SocketError) {
            try Syscalls.setOption(descriptor, SOL_SOCKET, SO_REUSEADDR, Int32(1), "setsockopt(SO_REUSEADDR)")
            try Syscalls.bind(descriptor, to: address)
            try Syscalls.listen(descriptor, backlog: backlog)
            self.address = try Syscalls.localAddress(descriptor)
        } catch {
            Syscalls.close(descriptor)
            throw error
        }
        self.descriptor = descriptor
    }

    deinit { Syscalls.close(descriptor) }

    /// Takes one waiting connection, or `.wouldBlock` when none waits.
    /// The corresponding C function is `accept4(2)`.
    package func accept() throws(SocketError) -> IOResult<StreamSocket> {
        switch try Syscalls.accept(descriptor) {
        case .done(let connection): return .done(StreamSocket(adopting: connection))
        case .wouldBlock: return .wouldBlock
        }
    }

    /// Waits up to `milliseconds` for a connection (or for ``stop()``); true when one may be there.
    /// The corresponding C function is `poll(2)`.
    package func waitForConnection(milliseconds: UInt64) -> Bool {
        let deadline = MonotonicClock.now() &+ milliseconds &* 1_000_000
        return (try? StreamSocket.wait(descriptor, for: Int16(POLLIN), until: deadline)) ?? false
    }

    /// Stops listening: connections are refused from now on, and every thread
    /// waiting for one wakes (its ``accept()`` then fails). The descriptor stays
    /// open until the value goes. The corresponding C function is `shutdown(2)`.
    package func stop() {
        Syscalls.shutdown(descriptor)
    }

    /// The one line for a listener that could not be set up: `cannot listen on
    /// ADDRESS: why (what to do)`, with `inUse` as the advice for a taken port.
    package static func failureMessage(_ error: SocketError, listening address: SocketAddress, inUse: String) -> String {
        let prefix = "cannot listen on \(address)"
        switch error.code {
        case EADDRINUSE:
            return "\(prefix): address already in use (\(inUse))"
        case EACCES:
            return "\(prefix): permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE: choose a port of 1024 or more)"
        case EADDRNOTAVAIL:
            return "\(prefix): no local interface has that address (use 127.0.0.1, 0.0.0.0, or an address 'ip addr' lists)"
        default:
            return "\(prefix): \(error)"
        }
    }
}
