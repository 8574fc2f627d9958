#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

// TCP streams: the listening side of a small server (the /metrics endpoint).
// Blocking calls bounded by SO_RCVTIMEO/SO_SNDTIMEO, so a stalled peer costs
// a timeout, never a thread forever.
extension Syscalls {
    /// Marks a bound stream socket as accepting connections, at most `backlog`
    /// waiting. The corresponding C function is `listen(2)`.
    package static func listen(_ descriptor: Int32, backlog: Int32) throws(SocketError) {
        _ = try retrying(.listen, "listen", descriptor) { Int(Glibc.listen(descriptor, backlog)) }
    }

    /// Takes one waiting connection (close-on-exec); nil when the socket's
    /// receive timeout passed first or the listener was shut down (EAGAIN and
    /// EINVAL are results), or the connection was reset while it waited.
    /// The corresponding C function is `accept4(2)`.
    package static func accept(_ descriptor: Int32) throws(SocketError) -> Int32? {
        while true {
            let result = invoke(.accept, descriptor) { Int(CMPPSLinux_accept4(descriptor, nil, nil, Int32(SOCK_CLOEXEC.rawValue))) }
            if result >= 0 { return Int32(truncatingIfNeeded: result) }
            let code = errno
            if code == EINTR { continue }
            // ECONNABORTED: the peer gave up before we took it; EINVAL: the listener was shut down.
            if code == EAGAIN || code == EWOULDBLOCK || code == ECONNABORTED || code == EINVAL { return nil }
            throw failure("accept", code)
        }
    }

    /// Reads up to `buffer.count` bytes from a stream: the count, 0 at the
    /// peer's end, nil when the receive timeout passed (EAGAIN is a result).
    /// The corresponding C function is `recv(2)`.
    package static func receive(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> Int? {
        while true {
            let count = invoke(.recv, descriptor) { Glibc.recv(descriptor, buffer.baseAddress, buffer.count, 0) }
            if count >= 0 { return count }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return nil }
            throw failure("recv", code)
        }
    }

    /// Writes all of `bytes` to a stream, resuming after short sends; false
    /// when the peer is gone or the send timeout passed. Never raises SIGPIPE
    /// (`MSG_NOSIGNAL`). The corresponding C function is `send(2)`.
    @discardableResult
    package static func sendAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = invoke(.send, descriptor) {
                Glibc.send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 && errno == EINTR { continue }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// Ends a stream's reading and writing (or, with `writingOnly`, only its
    /// writing: the peer reads the end of the stream while we may still read
    /// what it sent). Ending both wakes a thread blocked in ``accept(_:)`` or
    /// ``receive(_:into:)`` on it. Errors (not connected) are ignored: the
    /// point is only the end or the wake-up. The corresponding C function is `shutdown(2)`.
    package static func shutdown(_ descriptor: Int32, writingOnly: Bool = false) {
        let how = writingOnly ? Int32(SHUT_WR) : Int32(SHUT_RDWR)
        _ = invoke(.shutdown, descriptor) { Int(Glibc.shutdown(descriptor, how)) }
    }
}
