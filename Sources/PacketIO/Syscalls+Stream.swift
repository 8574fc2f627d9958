#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

// TCP, for the control connection of `mpps serve` and its clients: a
// listening socket, accepted connections, and reads and writes that wait at
// most a given time (`poll`), so no peer can hold a thread forever.
extension Syscalls {
    /// Opens a TCP socket of `family`, close-on-exec and non-blocking (every
    /// wait goes through ``poll(_:milliseconds:)``, which has a timeout).
    /// The corresponding C function is `socket(2)`.
    package static func streamSocket(_ family: SocketAddress.Family) throws(SocketError) -> Int32 {
        try socket(domain: family.rawValue, type: Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue),
                   protocol: Int32(IPPROTO_TCP))
    }

    /// Marks a bound socket as accepting connections. The corresponding C function is `listen(2)`.
    package static func listen(_ descriptor: Int32, backlog: Int32) throws(SocketError) {
        _ = try retrying(.listen, "listen", descriptor) { Int(Glibc.listen(descriptor, backlog)) }
    }

    /// Takes one waiting connection, close-on-exec and non-blocking (the caller
    /// owns the descriptor); `.wouldBlock` when none waits (EAGAIN), or when the
    /// peer gave up before it was taken (ECONNABORTED).
    /// The corresponding C function is `accept4(2)`.
    package static func accept(_ descriptor: Int32) throws(SocketError) -> IOResult<Int32> {
        while true {
            let flags = Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
            let result = invoke(.accept, descriptor) { Int(CMPPSLinux_accept4(descriptor, flags)) }
            if result >= 0 { return .done(Int32(truncatingIfNeeded: result)) }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK || code == ECONNABORTED { return .wouldBlock }
            throw failure("accept", code)
        }
    }

    /// Starts connecting a non-blocking socket; true when already connected,
    /// false when under way (EINPROGRESS: wait for writability, then read
    /// ``pendingError(_:)``). The corresponding C function is `connect(2)`.
    package static func startConnect(_ descriptor: Int32, to address: SocketAddress) throws(SocketError) -> Bool {
        while true {
            let result = invoke(.connect, descriptor) { Int(address.withUnsafeSockaddr { Glibc.connect(descriptor, $0, $1) }) }
            if result == 0 { return true }
            let code = errno
            if code == EINTR { continue }
            if code == EINPROGRESS { return false }
            throw failure("connect", code)
        }
    }

    /// The error a non-blocking connect ended with, 0 when it succeeded.
    /// The corresponding C function is `getsockopt(2)` with `SO_ERROR`.
    package static func pendingError(_ descriptor: Int32) throws(SocketError) -> Int32 {
        try intOption(descriptor, SOL_SOCKET, SO_ERROR, "getsockopt(SO_ERROR)")
    }

    /// Waits up to `milliseconds` (-1: without end) for an event on any of
    /// `descriptors`; the number of descriptors with events (0 when the time
    /// passed). An interrupted wait returns 0: the caller looks at its clock
    /// and its signals and waits again. The corresponding C function is `poll(2)`.
    package static func poll(_ descriptors: inout [pollfd], milliseconds: Int32) throws(SocketError) -> Int {
        let count = descriptors.count
        // Safety: the array outlives the call and its count is passed with it.
        let result = descriptors.withUnsafeMutableBufferPointer { buffer in
            Result { () throws(SocketError) in try poll(buffer.baseAddress, count: count, milliseconds: milliseconds) }
        }
        return try result.get()
    }

    /// Reads up to `buffer.count` bytes from a stream; `.done(0)` when the peer
    /// closed its side, `.wouldBlock` when nothing is there yet (EAGAIN, or a
    /// blocking socket's `SO_RCVTIMEO` passed). The corresponding C function is `recv(2)`.
    package static func receive(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> IOResult<Int> {
        while true {
            let result = invoke(.recv, descriptor) { Glibc.recv(descriptor, buffer.baseAddress, buffer.count, 0) }
            if result >= 0 { return .done(result) }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
            throw failure("recv", code)
        }
    }

    /// Writes what a stream takes now without raising SIGPIPE at a closed
    /// peer; the bytes taken, `.wouldBlock` when its buffer is full (EAGAIN).
    /// The corresponding C function is `send(2)` with `MSG_NOSIGNAL`.
    package static func sendStream(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) throws(SocketError) -> IOResult<Int> {
        while true {
            let result = invoke(.send, descriptor) { Glibc.send(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
            if result >= 0 { return .done(result) }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
            throw failure("send", code)
        }
    }

    /// Ends a stream's reading and writing (or, with `writingOnly`, only its
    /// writing: the peer reads the end of the stream while we may still read
    /// what it sent). Ending both on a listener stops it taking connections and
    /// wakes every thread waiting on it. Errors (not connected) are
    /// ignored: the point is only the end or the wake-up.
    /// The corresponding C function is `shutdown(2)`.
    package static func shutdown(_ descriptor: Int32, writingOnly: Bool = false) {
        let how = writingOnly ? Int32(SHUT_WR) : Int32(SHUT_RDWR)
        _ = invoke(.shutdown, descriptor) { Int(Glibc.shutdown(descriptor, how)) }
    }
}
