#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

/// One entry of a socket's error queue: why a datagram this socket sent
/// failed, as the kernel reported it (``UDPSocket/nextQueuedError()``).
///
/// An unconnected sender learns this way that a destination is unreachable:
/// with ``UDPSocket/setReceiveErrors(_:)`` on, each ICMP error the datagrams
/// draw is queued with the address they were sent to. The kernel's form is a
/// `struct sock_extended_err` in an `IP_RECVERR` or `IPV6_RECVERR` control
/// message of `recvmsg(MSG_ERRQUEUE)` (Linux 2.2 or later).
public struct QueuedSocketError: Hashable, Sendable, CustomStringConvertible {
    /// Who reported the error: the kernel itself, or an ICMP message from the path.
    /// `sock_extended_err.ee_origin`.
    public struct Origin: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The `SO_EE_ORIGIN_*` value.
        public let rawValue: UInt8
        /// Wraps an `SO_EE_ORIGIN_*` value.
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// `SO_EE_ORIGIN_LOCAL`: this host's stack (a datagram over the path MTU, say).
        public static let local = Origin(rawValue: CMPPSLinux_SO_EE_ORIGIN_LOCAL)
        /// `SO_EE_ORIGIN_ICMP`: an ICMP message (IPv4) about a datagram sent.
        public static let icmp = Origin(rawValue: CMPPSLinux_SO_EE_ORIGIN_ICMP)
        /// `SO_EE_ORIGIN_ICMP6`: an ICMPv6 message about a datagram sent.
        public static let icmp6 = Origin(rawValue: CMPPSLinux_SO_EE_ORIGIN_ICMP6)

        /// `local`, `icmp`, `icmp6`, or `origin N` for the others (timestamps, zero-copy).
        public var description: String {
            switch self {
            case .local: return "local"
            case .icmp: return "icmp"
            case .icmp6: return "icmp6"
            default: return "origin \(rawValue)"
            }
        }
    }

    /// Why the datagram failed: `ECONNREFUSED` for a closed port, `EHOSTUNREACH`,
    /// `ENETUNREACH`, `EMSGSIZE` (`ee_errno`).
    public let errno: Errno
    /// Who reported it (`ee_origin`).
    public let origin: Origin
    /// The ICMP or ICMPv6 type (3 is IPv4's destination unreachable, 1 IPv6's); 0 for a local error (`ee_type`).
    public let type: UInt8
    /// The ICMP or ICMPv6 code (3 and 4 are port unreachable in IPv4 and IPv6); 0 for a local error (`ee_code`).
    public let code: UInt8
    /// `ee_info`: the path MTU for `EMSGSIZE`, else 0 for UDP.
    public let info: UInt32
    /// Where the failed datagram was sent, port included (the `recvmsg` name);
    /// nil when the kernel gave no address. On a dual-stack IPv6 socket, an
    /// IPv4 destination is IPv4-mapped (`[::ffff:127.0.0.1]`).
    public let destination: SocketAddress?
    /// The node that sent the ICMP message, port 0 (`SO_EE_OFFENDER`); nil for a local error.
    public let offender: SocketAddress?

    /// Creates an entry from its parts (tests, and readers of their own queues).
    public init(errno: Errno, origin: Origin, type: UInt8, code: UInt8, info: UInt32,
                destination: SocketAddress?, offender: SocketAddress?) {
        self.errno = errno
        self.origin = origin
        self.type = type
        self.code = code
        self.info = info
        self.destination = destination
        self.offender = offender
    }

    /// `connection refused (icmp type 3 code 3) sending to 127.0.0.1:9 (reported by 127.0.0.1:0)`.
    public var description: String {
        var text = "\(errno) (\(origin)"
        if origin != .local { text += " type \(type) code \(code)" }
        text += ")"
        if let destination { text += " sending to \(destination)" }
        if let offender { text += " (reported by \(offender.hostDescription))" }
        return text
    }

    /// Reads the entry from what `recvmsg(MSG_ERRQUEUE)` returned: `control`,
    /// the ancillary data (its first `IP_RECVERR` or `IPV6_RECVERR` message),
    /// and `name`, the address part the kernel filled. Nil when no such message
    /// holds a whole `sock_extended_err`. The bytes are treated as untrusted:
    /// every length is checked before use (``ControlMessages/data(in:level:type:)``,
    /// ``SocketAddress/init(sockaddrBytes:)``).
    package static func parse(control: UnsafeRawBufferPointer, name: UnsafeRawBufferPointer) -> QueuedSocketError? {
        guard let data = ControlMessages.data(in: control, level: Int32(IPPROTO_IP), type: IP_RECVERR)
                ?? ControlMessages.data(in: control, level: Int32(IPPROTO_IPV6), type: IPV6_RECVERR),
              data.count >= Int(CMPPSLinux_SOCK_EXTENDED_ERR_SIZE) else { return nil }
        let offender = SocketAddress(sockaddrBytes: UnsafeRawBufferPointer(
            rebasing: data[Int(CMPPSLinux_SOCK_EXTENDED_ERR_SIZE)...]))
        return QueuedSocketError(
            errno: Errno(rawValue: Int32(bitPattern: data.loadUnaligned(as: UInt32.self))),
            origin: Origin(rawValue: data[Int(CMPPSLinux_SOCK_EXTENDED_ERR_ORIGIN_OFFSET)]),
            type: data[Int(CMPPSLinux_SOCK_EXTENDED_ERR_TYPE_OFFSET)],
            code: data[Int(CMPPSLinux_SOCK_EXTENDED_ERR_CODE_OFFSET)],
            info: data.loadUnaligned(fromByteOffset: Int(CMPPSLinux_SOCK_EXTENDED_ERR_INFO_OFFSET), as: UInt32.self),
            destination: SocketAddress(sockaddrBytes: name),
            offender: offender)
    }
}
