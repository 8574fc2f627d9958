#if canImport(Glibc)
import Glibc
#endif

/// One TCP connection, owned: the descriptor closes when the value goes.
/// Non-blocking: every call answers at once (``IOResult/wouldBlock`` when it
/// would have to wait), and every wait is a `poll` with an end, so no peer
/// holds a thread forever. For `mpps serve`'s control connection and the
/// /metrics page; not a user API.
package struct StreamSocket: ~Copyable, Sendable {
    /// The socket (non-blocking, close-on-exec).
    package let descriptor: Int32

    /// Takes ownership of a connected, non-blocking stream socket (one ``StreamListener/accept()`` gave).
    package init(adopting descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Connects to `address` within `seconds`; a peer that does not answer in
    /// time is `connect: connection timed out`.
    /// The corresponding C functions are `socket(2)`, `connect(2)` and `poll(2)`.
    package init(connectingTo address: SocketAddress, seconds: Double) throws(SocketError) {
        let descriptor = try Syscalls.streamSocket(address.family)
        do throws(SocketError) {
            if try !Syscalls.startConnect(descriptor, to: address) {
                let deadline = Self.deadline(seconds: seconds)
                guard try Self.wait(descriptor, for: Int16(POLLOUT), until: deadline) else {
                    throw SocketError("connect", code: ETIMEDOUT)
                }
                let code = try Syscalls.pendingError(descriptor)
                if code != 0 { throw SocketError("connect", code: code) }
            }
        } catch {
            Syscalls.close(descriptor)
            throw error
        }
        self.descriptor = descriptor
    }

    deinit { Syscalls.close(descriptor) }

    /// The peer's address; nil once it is gone. The corresponding C function is `getpeername(2)`.
    package var peer: SocketAddress? { try? Syscalls.peerAddress(descriptor) }

    /// Reads what has arrived, up to `buffer.count` bytes; `.done(0)` when the peer closed its side.
    /// The corresponding C function is `recv(2)`.
    package func receive(into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> IOResult<Int> {
        try Syscalls.receive(descriptor, into: buffer)
    }

    /// Reads what has arrived into `chunk`, as ``receive(into:)`` does.
    package func receive(into chunk: inout [UInt8]) throws(SocketError) -> IOResult<Int> {
        var failure: SocketError?
        let result = chunk.withUnsafeMutableBytes { buffer -> IOResult<Int> in
            do throws(SocketError) { return try receive(into: buffer) } catch {
                failure = error
                return .done(0)
            }
        }
        if let failure { throw failure }
        return result
    }

    /// Writes what the socket takes now. The corresponding C function is `send(2)` with `MSG_NOSIGNAL`.
    package func send(_ bytes: UnsafeRawBufferPointer) throws(SocketError) -> IOResult<Int> {
        try Syscalls.sendStream(descriptor, bytes)
    }

    /// Writes all of `bytes` by `deadline` (a ``MonotonicClock`` time); false
    /// when the peer is gone, too slow, or `giveUp` says so (it is asked at
    /// least every `sliceMilliseconds` while the peer's buffer is full).
    package func sendAll(_ bytes: [UInt8], until deadline: UInt64, sliceMilliseconds: UInt64 = .max,
                         giveUp: () -> Bool = { false }) -> Bool {
        var offset = 0
        while offset < bytes.count {
            // Nil when the peer is gone (a reset, a closed pipe): no one to write to.
            let taken = bytes.withUnsafeBytes { buffer in try? send(UnsafeRawBufferPointer(rebasing: buffer[offset...])) }
            guard let result = taken else { return false }
            switch result {
            case .done(let sent): offset += sent
            case .wouldBlock:
                guard MonotonicClock.now() < deadline, !giveUp() else { return false }
                guard (try? wait(for: Int16(POLLOUT), until: deadline, sliceMilliseconds: sliceMilliseconds)) != nil else { return false }
            }
        }
        return true
    }

    /// Waits until the socket is ready for `events` (or has an error or a
    /// hang-up: the next call says which), at most until `deadline` and at most
    /// `sliceMilliseconds` at once; false when that time passed first.
    /// The corresponding C function is `poll(2)`.
    package func wait(for events: Int16, until deadline: UInt64, sliceMilliseconds: UInt64 = .max) throws(SocketError) -> Bool {
        try Self.wait(descriptor, for: events, until: deadline, sliceMilliseconds: sliceMilliseconds)
    }

    /// Ends this side's writing: the peer reads the end of the stream while
    /// this side may still read. The corresponding C function is `shutdown(2)` with `SHUT_WR`.
    package func shutdownWriting() {
        Syscalls.shutdown(descriptor, writingOnly: true)
    }

    /// A deadline `seconds` from now on the monotonic clock.
    package static func deadline(seconds: Double) -> UInt64 {
        let nanoseconds = min(max(seconds, 0), 1e9) * 1e9
        return MonotonicClock.now() &+ UInt64(nanoseconds)
    }

    static func wait(_ descriptor: Int32, for events: Int16, until deadline: UInt64,
                     sliceMilliseconds: UInt64 = .max) throws(SocketError) -> Bool {
        let now = MonotonicClock.now()
        guard now < deadline else { return false }
        let left = (deadline - now + 999_999) / 1_000_000
        let milliseconds = Int32(min(left, sliceMilliseconds, 600_000))
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        return try Syscalls.poll(&entry, count: 1, milliseconds: milliseconds) > 0
    }
}
