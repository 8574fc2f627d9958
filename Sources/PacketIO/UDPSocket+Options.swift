#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

// Options a server reaches for beyond the article's: which families an IPv6
// socket serves, and whether it may send to a broadcast address.
extension UDPSocket {
    /// Makes an IPv6 socket serve IPv6 alone (`true`) or IPv4 too, through
    /// IPv4-mapped addresses such as `[::ffff:127.0.0.1]` (`false`). Set it
    /// before ``bind(to:)``: the kernel refuses a change on a bound socket with
    /// `EINVAL`. Without it, the default is `net.ipv6.bindv6only` (0 on most
    /// systems: dual stack). An IPv4 socket refuses it with `ENOPROTOOPT`.
    /// The corresponding C call is `setsockopt(IPPROTO_IPV6, IPV6_V6ONLY)`; Linux 2.4.21 or later.
    public func setIPv6Only(_ enabled: Bool) throws(SocketError) {
        try Syscalls.setOption(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, Int32(enabled ? 1 : 0), "setsockopt(IPV6_V6ONLY)")
    }

    /// Whether this IPv6 socket serves IPv6 alone (see ``setIPv6Only(_:)``).
    /// The corresponding C call is `getsockopt(IPPROTO_IPV6, IPV6_V6ONLY)`; Linux 2.4.21 or later.
    public var isIPv6Only: Bool {
        get throws(SocketError) {
            try Syscalls.intOption(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, "getsockopt(IPV6_V6ONLY)") != 0
        }
    }

    /// Lets this socket send to a broadcast address (`255.255.255.255`, a
    /// subnet's last address such as `127.255.255.255`); without it, such a
    /// `sendto` fails with `EACCES` (``Errno/permissionDenied``). Receiving
    /// broadcasts needs no option. IPv6 has no broadcast.
    /// The corresponding C call is `setsockopt(SOL_SOCKET, SO_BROADCAST)`; Linux 2.0 or later.
    public func setBroadcast(_ enabled: Bool) throws(SocketError) {
        try Syscalls.setOption(descriptor, SOL_SOCKET, SO_BROADCAST, Int32(enabled ? 1 : 0), "setsockopt(SO_BROADCAST)")
    }

    /// Whether this socket may send to a broadcast address (see ``setBroadcast(_:)``).
    /// The corresponding C call is `getsockopt(SOL_SOCKET, SO_BROADCAST)`; Linux 2.0 or later.
    public var isBroadcastEnabled: Bool {
        get throws(SocketError) {
            try Syscalls.intOption(descriptor, SOL_SOCKET, SO_BROADCAST, "getsockopt(SO_BROADCAST)") != 0
        }
    }
}
