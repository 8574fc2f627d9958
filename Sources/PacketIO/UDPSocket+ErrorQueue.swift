#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

// The socket error queue: how an unconnected sender learns that the datagrams
// it sent drew ICMP errors (port or host unreachable, a too-small path MTU).
extension UDPSocket {
    /// The bytes set aside for one error queue entry's ancillary data: its
    /// `sock_extended_err` with the offender's `sockaddr_in6` (64 bytes) and room
    /// for the per-datagram messages other options add (`IP_PKTINFO` and the like).
    static let errorQueueControlSize = 256

    /// Turns the error queue on or off. On, every ICMP error a datagram from
    /// this socket draws (and local errors, such as `EMSGSIZE`) is queued for
    /// ``nextQueuedError()``, connected or not; off (the default), an unconnected
    /// socket never hears of them and a connected one only sees the errno.
    ///
    /// The kernel also keeps the latest error as the socket's pending error: the
    /// next `send` or receive on the socket fails with it once (`ECONNREFUSED`,
    /// say) unless ``nextQueuedError()`` has read the entry first, which clears it.
    ///
    /// The corresponding C calls are `setsockopt(IPPROTO_IP, IP_RECVERR)` and, on
    /// an IPv6 socket, `setsockopt(IPPROTO_IPV6, IPV6_RECVERR)` too (for the IPv4
    /// peers of a dual-stack socket the IPv4 option decides); Linux 2.2 or later.
    public func setReceiveErrors(_ enabled: Bool) throws(SocketError) {
        let value = Int32(enabled ? 1 : 0)
        if family == .inet6 {
            try Syscalls.setOption(descriptor, Int32(IPPROTO_IPV6), IPV6_RECVERR, value, "setsockopt(IPV6_RECVERR)")
            // An IPv6-only socket never sends to IPv4 peers; a refusal here changes nothing.
            _ = try? Syscalls.setOption(descriptor, Int32(IPPROTO_IP), IP_RECVERR, value, "setsockopt(IP_RECVERR)")
        } else {
            try Syscalls.setOption(descriptor, Int32(IPPROTO_IP), IP_RECVERR, value, "setsockopt(IP_RECVERR)")
        }
    }

    /// Takes the oldest entry off the error queue; nil when it is empty (this
    /// never blocks, whatever the socket's mode). An entry that carries no error
    /// report the parser knows is skipped. `poll` reports `POLLERR` while the
    /// queue holds an entry. Turn the queue on with ``setReceiveErrors(_:)``.
    /// The corresponding C function is `recvmsg(2)` with `MSG_ERRQUEUE`; Linux 2.2 or later.
    public func nextQueuedError() throws(SocketError) -> QueuedSocketError? {
        try Self.nextQueuedError(descriptor: descriptor)
    }

    /// ``nextQueuedError()`` on a descriptor whose socket is owned elsewhere.
    public static func nextQueuedError(descriptor: Int32) throws(SocketError) -> QueuedSocketError? {
        var name = sockaddr_storage()
        return try withUnsafeMutableBytes(of: &name) { (name) throws(SocketError) -> QueuedSocketError? in
            try withUnsafeTemporaryAllocation(byteCount: errorQueueControlSize, alignment: MemoryLayout<Int>.alignment) {
                (control) throws(SocketError) -> QueuedSocketError? in
                // Each read removes one entry, so the queue's length bounds the loop.
                while let read = try Syscalls.receiveError(descriptor, name: name, control: control) {
                    let filledName = UnsafeRawBufferPointer(rebasing: name[..<min(read.nameLength, name.count)])
                    let filledControl = UnsafeRawBufferPointer(rebasing: control[..<min(read.controlLength, control.count)])
                    if let entry = QueuedSocketError.parse(control: filledControl, name: filledName) { return entry }
                }
                return nil
            }
        }
    }
}
