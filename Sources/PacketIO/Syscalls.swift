#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

/// The one door to the kernel: every socket, descriptor, ioctl, thread and
/// process call of mpps goes through a function of this type (in the
/// `Syscalls…swift` files), and no other file calls libc for them.
///
/// Here and only here: EINTR is retried; EAGAIN is a result (0 messages)
/// where the caller expects it; EBADF and EFAULT stop the program, since
/// they mean mpps passed a descriptor or buffer that is not its own; and, in
/// debug builds, ``FaultInjection`` can answer a call in the kernel's place.
package enum Syscalls {
    /// Runs one call, or, in a debug build, lets an armed fault answer it.
    @inline(__always)
    static func invoke(_ call: SystemCall, _ descriptor: Int32, _ body: () -> Int) -> Int {
        #if DEBUG
        if let code = FaultInjection.take(call, descriptor: descriptor) {
            errno = code
            return -1
        }
        #endif
        return body()
    }

    /// Runs `body` until it is not interrupted; a failure becomes a ``SocketError`` named `operation`.
    @inline(__always)
    static func retrying(_ call: SystemCall, _ operation: StaticString, _ descriptor: Int32,
                         _ body: () -> Int) throws(SocketError) -> Int {
        while true {
            let result = invoke(call, descriptor, body)
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw failure(operation, code)
        }
    }

    /// Runs `body` until it is not interrupted; nil when the call would block (EAGAIN: the
    /// socket's timeout passed, or it is non-blocking with nothing to do), which is a result,
    /// not an error. Any other failure becomes a ``SocketError`` named `operation`.
    @inline(__always)
    static func retryingUnlessBlocked(_ call: SystemCall, _ operation: StaticString, _ descriptor: Int32,
                                      _ body: () -> Int) throws(SocketError) -> Int? {
        while true {
            let result = invoke(call, descriptor, body)
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return nil }
            throw failure(operation, code)
        }
    }

    /// The error for a failed call; EBADF and EFAULT are mpps's own bugs, never the network's.
    static func failure(_ operation: StaticString, _ code: Int32) -> SocketError {
        precondition(code != EBADF && code != EFAULT,
                     "\(operation) failed with \(code == EBADF ? "EBADF" : "EFAULT"): a descriptor or buffer that is not mpps's own (a bug)")
        return SocketError(operation, code: code)
    }

    // MARK: Sockets

    /// Opens a socket. The corresponding C function is `socket(2)`.
    package static func socket(domain: Int32, type: Int32, protocol: Int32 = 0) throws(SocketError) -> Int32 {
        Int32(truncatingIfNeeded: try retrying(.socket, "socket", -1) { Int(Glibc.socket(domain, type, `protocol`)) })
    }

    /// Closes a descriptor this program owns. Never retried: on Linux the
    /// descriptor is gone even when `close` reports EINTR.
    /// The corresponding C function is `close(2)`.
    package static func close(_ descriptor: Int32) {
        let rc = invoke(.close, descriptor) { Int(Glibc.close(descriptor)) }
        if rc != 0 { precondition(errno != EBADF, "close: EBADF: a descriptor closed twice (a bug)") }
    }

    /// Binds a socket to a local address. The corresponding C function is `bind(2)`.
    package static func bind(_ descriptor: Int32, to address: SocketAddress) throws(SocketError) {
        _ = try retrying(.bind, "bind", descriptor) { Int(address.withUnsafeSockaddr { Glibc.bind(descriptor, $0, $1) }) }
    }

    /// Connects a socket to a peer. The corresponding C function is `connect(2)`.
    package static func connect(_ descriptor: Int32, to address: SocketAddress) throws(SocketError) {
        _ = try retrying(.connect, "connect", descriptor) {
            Int(address.withUnsafeSockaddr { Glibc.connect(descriptor, $0, $1) })
        }
    }

    /// The socket's local address. The corresponding C function is `getsockname(2)`.
    package static func localAddress(_ descriptor: Int32) throws(SocketError) -> SocketAddress {
        try address(of: descriptor, .getsockname, "getsockname") { Glibc.getsockname(descriptor, $0, $1) }
    }

    /// The connected socket's peer. The corresponding C function is `getpeername(2)`.
    package static func peerAddress(_ descriptor: Int32) throws(SocketError) -> SocketAddress {
        try address(of: descriptor, .getpeername, "getpeername") { Glibc.getpeername(descriptor, $0, $1) }
    }

    private static func address(of descriptor: Int32, _ call: SystemCall, _ operation: StaticString,
                                _ body: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32)
        throws(SocketError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        // Safety: `storage` and `length` outlive the call; the kernel writes at most `length` bytes.
        _ = try retrying(call, operation, descriptor) {
            Int(withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, &length) } })
        }
        guard let address = withUnsafeBytes(of: &storage, { SocketAddress($0.baseAddress!) }) else {
            throw SocketError(operation, code: EAFNOSUPPORT)
        }
        return address
    }

    /// Sets a socket option to `value`'s bytes. The corresponding C function is `setsockopt(2)`.
    package static func setOption<T: BitwiseCopyable>(_ descriptor: Int32, _ level: Int32, _ name: Int32, _ value: T,
                                                      _ operation: StaticString) throws(SocketError) {
        // Safety: the bytes live for the duration of the call and their count is passed with them.
        _ = try retrying(.setsockopt, operation, descriptor) {
            Int(withUnsafeBytes(of: value) { Glibc.setsockopt(descriptor, level, name, $0.baseAddress, socklen_t($0.count)) })
        }
    }

    /// Reads a socket option into `value`; returns the bytes the kernel wrote.
    /// The corresponding C function is `getsockopt(2)`.
    @discardableResult
    package static func getOption<T: BitwiseCopyable>(_ descriptor: Int32, _ level: Int32, _ name: Int32, into value: inout T,
                                                      _ operation: StaticString) throws(SocketError) -> Int {
        var length = socklen_t(MemoryLayout<T>.size)
        // Safety: `value` and `length` outlive the call; the kernel writes at most `length` bytes.
        _ = try retrying(.getsockopt, operation, descriptor) {
            Int(withUnsafeMutableBytes(of: &value) { Glibc.getsockopt(descriptor, level, name, $0.baseAddress, &length) })
        }
        return Int(length)
    }

    /// An `int` socket option. The corresponding C function is `getsockopt(2)`.
    package static func intOption(_ descriptor: Int32, _ level: Int32, _ name: Int32,
                                  _ operation: StaticString) throws(SocketError) -> Int32 {
        var value: Int32 = 0
        try getOption(descriptor, level, name, into: &value, operation)
        return value
    }

    /// Receives up to `count` messages with one call; 0 when the socket's
    /// timeout passed or it is non-blocking and empty (EAGAIN is a result).
    /// The corresponding C function is `recvmmsg(2)`; Linux 2.6.33 or later.
    @inline(__always)
    static func receiveMessages(_ descriptor: Int32, _ messages: UnsafeMutablePointer<CMPPSLinux_mmsghdr>,
                                        count: UInt32, flags: Int32) throws(SocketError) -> Int {
        try retryingUnlessBlocked(.recvmmsg, "recvmmsg", descriptor) {
            Int(CMPPSLinux_recvmmsg(descriptor, messages, count, flags, nil))
        } ?? 0
    }

    /// Receives one message into `message`'s first buffer and address slot, as
    /// ``receiveMessages(_:_:count:flags:)`` would with a count of 1, and writes what
    /// `recvmmsg` would have written: the length, the address length (0 when no
    /// address was asked for or none came, as for the end-of-stream mark) and
    /// `MSG_TRUNC` when the datagram was longer than the buffer. Returns 1, or 0 as
    /// `recvmmsg` does. Only for a message without control space: `recvfrom` has none.
    /// Half a microsecond less per call than `recvmsg`/`recvmmsg` here (BENCHMARKS s): the kernel
    /// builds the message header itself rather than copying it in and out.
    /// The corresponding C function is `recvfrom(2)`.
    @inline(__always)
    static func receiveOne(_ descriptor: Int32, _ message: UnsafeMutablePointer<CMPPSLinux_mmsghdr>,
                           flags: Int32) throws(SocketError) -> Int {
        let buffer = message.pointee.msg_hdr.msg_iov.pointee
        let name = message.pointee.msg_hdr.msg_name?.assumingMemoryBound(to: sockaddr.self)
        var nameLength: socklen_t = 0
        let received = try retryingUnlessBlocked(.recvfrom, "recvfrom", descriptor) {
            nameLength = name == nil ? 0 : socklen_t(MemoryLayout<sockaddr_storage>.size)
            return withUnsafeMutablePointer(to: &nameLength) { length in
                Glibc.recvfrom(descriptor, buffer.iov_base, buffer.iov_len, flags, name, name == nil ? nil : length)
            }
        }
        guard let n = received else { return 0 }
        message.pointee.msg_len = UInt32(clamping: n)
        message.pointee.msg_hdr.msg_namelen = nameLength
        message.pointee.msg_hdr.msg_flags = n > buffer.iov_len ? Int32(MSG_TRUNC) : 0
        return 1
    }

    /// Sends one message from `message`'s first buffer to its address (none on a
    /// connected socket), as ``sendMessages(_:_:count:)`` would with a count of 1:
    /// returns 1, or 0 when the send timeout passed. Only for a message without
    /// control messages. The corresponding C function is `sendto(2)`.
    @inline(__always)
    static func sendOne(_ descriptor: Int32, _ message: UnsafeMutablePointer<CMPPSLinux_mmsghdr>) throws(SocketError) -> Int {
        let buffer = message.pointee.msg_hdr.msg_iov.pointee
        let name = message.pointee.msg_hdr.msg_name?.assumingMemoryBound(to: sockaddr.self)
        let nameLength = message.pointee.msg_hdr.msg_namelen
        let sent = try retryingUnlessBlocked(.sendto, "sendto", descriptor) {
            Glibc.sendto(descriptor, buffer.iov_base, buffer.iov_len, 0, name, nameLength)
        }
        return sent == nil ? 0 : 1
    }

    /// Sends up to `count` messages with one call; returns how many the kernel
    /// took, 0 when the socket's send timeout passed (EAGAIN is a result).
    /// The corresponding C function is `sendmmsg(2)`; Linux 3.0 or later.
    @inline(__always)
    static func sendMessages(_ descriptor: Int32, _ messages: UnsafeMutablePointer<CMPPSLinux_mmsghdr>,
                                     count: UInt32) throws(SocketError) -> Int {
        try retryingUnlessBlocked(.sendmmsg, "sendmmsg", descriptor) {
            Int(CMPPSLinux_sendmmsg(descriptor, messages, count, 0))
        } ?? 0
    }

    /// Sends one datagram on a connected socket. The corresponding C function is `send(2)`.
    package static func send(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) throws(SocketError) -> Int {
        try retrying(.send, "send", descriptor) { Glibc.send(descriptor, bytes.baseAddress, bytes.count, 0) }
    }

    /// Sends one datagram to `address`. The corresponding C function is `sendto(2)`.
    package static func send(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, to address: SocketAddress) throws(SocketError) -> Int {
        try retrying(.sendto, "sendto", descriptor) {
            address.withUnsafeSockaddr { Glibc.sendto(descriptor, bytes.baseAddress, bytes.count, 0, $0, $1) }
        }
    }

    /// A device request on a socket (ethtool's `SIOCETHTOOL`, say).
    /// The corresponding C function is `ioctl(2)`.
    package static func ioctl(_ descriptor: Int32, _ request: UInt, _ argument: UnsafeMutableRawPointer,
                              _ operation: StaticString) throws(SocketError) {
        _ = try retrying(.ioctl, operation, descriptor) { Int(Glibc.ioctl(descriptor, request, argument)) }
    }
}
