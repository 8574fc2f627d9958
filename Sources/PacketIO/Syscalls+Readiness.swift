#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

// Readiness and wake-ups for datagram sockets: non-blocking mode, shutting a
// socket down for reading (which wakes a thread blocked on it), an eventfd that
// one thread writes to wake another's poll, and poll over a caller's array.
extension Syscalls {
    /// Sets or clears `O_NONBLOCK`. The corresponding C function is `fcntl(2)` (`F_GETFL`, `F_SETFL`).
    package static func setNonBlocking(_ descriptor: Int32, _ enabled: Bool) throws(SocketError) {
        let flags = try retrying(.fcntl, "fcntl(F_GETFL)", descriptor) { Int(fcntl(descriptor, F_GETFL)) }
        let wanted = enabled ? Int32(flags) | O_NONBLOCK : Int32(flags) & ~O_NONBLOCK
        _ = try retrying(.fcntl, "fcntl(F_SETFL)", descriptor) { Int(fcntl(descriptor, F_SETFL, wanted)) }
    }

    /// Whether `O_NONBLOCK` is set. The corresponding C function is `fcntl(2)` (`F_GETFL`).
    package static func isNonBlocking(_ descriptor: Int32) throws(SocketError) -> Bool {
        let flags = try retrying(.fcntl, "fcntl(F_GETFL)", descriptor) { Int(fcntl(descriptor, F_GETFL)) }
        return Int32(flags) & O_NONBLOCK != 0
    }

    /// Ends reading on a datagram socket and wakes every thread blocked receiving on it.
    /// An unconnected UDP socket answers `ENOTCONN`, yet Linux has shut it down and
    /// woken its readers all the same (`inet_shutdown`), so that answer is success here.
    /// The corresponding C function is `shutdown(2)` with `SHUT_RD`.
    package static func shutdownReading(_ descriptor: Int32) throws(SocketError) {
        let rc = invoke(.shutdown, descriptor) { Int(Glibc.shutdown(descriptor, Int32(SHUT_RD))) }
        if rc == 0 { return }
        let code = errno
        if code == ENOTCONN { return }
        throw failure("shutdown(SHUT_RD)", code)
    }

    /// Whether the socket was shut down for reading: `poll(2)` with no wait, for `POLLRDHUP`.
    /// A failed poll answers false (the caller then treats the messages as datagrams).
    package static func isShutDownForReading(_ descriptor: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: CMPPSLinux_POLLRDHUP, revents: 0)
        let rc = invoke(.poll, descriptor) { Int(Glibc.poll(&entry, 1, 0)) }
        return rc == 1 && entry.revents & CMPPSLinux_POLLRDHUP != 0
    }

    /// Opens an eventfd counter, close-on-exec and non-blocking.
    /// The corresponding C function is `eventfd(2)`; Linux 2.6.27 or later.
    package static func eventDescriptor() throws(SocketError) -> Int32 {
        let flags = Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK)
        return Int32(truncatingIfNeeded: try retrying(.eventfd, "eventfd", -1) { Int(eventfd(0, flags)) })
    }

    /// Adds 1 to an eventfd's counter, waking its pollers. A counter at its
    /// maximum (EAGAIN) is already readable, so that is success too.
    /// The corresponding C function is `write(2)` of 8 bytes.
    package static func signalEvent(_ descriptor: Int32) throws(SocketError) {
        var one: UInt64 = 1
        let rc = invoke(.write, descriptor) { Glibc.write(descriptor, &one, 8) }
        if rc == 8 { return }
        let code = errno
        if code == EAGAIN || code == EINTR { return }
        throw failure("write(eventfd)", code)
    }

    /// Reads and clears an eventfd's counter; 0 when it was already clear.
    /// The corresponding C function is `read(2)` of 8 bytes.
    package static func drainEvent(_ descriptor: Int32) throws(SocketError) -> UInt64 {
        var value: UInt64 = 0
        while true {
            let rc = invoke(.read, descriptor) { Glibc.read(descriptor, &value, 8) }
            if rc == 8 { return value }
            let code = errno
            if code == EINTR { continue }
            if rc < 0 && code == EAGAIN { return 0 }
            throw failure("read(eventfd)", rc < 0 ? code : EIO)
        }
    }

    /// Waits up to `milliseconds` (-1: without end) for events on `count`
    /// entries; the number with events, 0 when the time passed or a signal came.
    /// The corresponding C function is `poll(2)`.
    package static func poll(_ entries: UnsafeMutablePointer<pollfd>?, count: Int,
                             milliseconds: Int32) throws(SocketError) -> Int {
        let result = invoke(.poll, -1) { Int(Glibc.poll(entries, nfds_t(count), milliseconds)) }
        if result >= 0 { return result }
        let code = errno
        if code == EINTR || code == EAGAIN { return 0 }
        throw failure("poll", code)
    }
}
