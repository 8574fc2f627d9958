#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

// Multicast: joining and leaving groups to receive, and how sends to a group go
// out (interface, hop limit, a copy to this host's own members).
//
// A group is a SocketAddress whose port is ignored (224.0.0.0/4 or ff00::/8);
// an interface is its index (`ip link` shows it; ``UDPSocket/interfaceIndex(named:)``).
// On an IPv6 socket the sending options are set for IPv4 too where the kernel
// allows it, so that a dual-stack socket sends to both kinds of group alike.
extension UDPSocket {
    /// The index of the network interface named `name` (`lo`, `eth0`), or nil
    /// when there is none. The corresponding C function is `if_nametoindex(3)`.
    public static func interfaceIndex(named name: String) -> UInt32? {
        Syscalls.interfaceIndex(name)
    }

    /// Makes the socket a member of `group` on the interface with index
    /// `interfaceIndex` (0: the one the kernel routes the group to), so that
    /// datagrams sent to the group and to the port this socket is bound to
    /// arrive here. Bind to the wildcard address (or the group) and that port.
    /// Joining the same group twice on one interface fails with `EADDRINUSE`; a
    /// non-multicast address with `EINVAL`.
    ///
    /// The option follows the group's family, so a dual-stack IPv6 socket can
    /// join IPv4 groups too; an IPv6 group on an IPv4 socket fails with `ENOPROTOOPT`.
    /// The C calls are `setsockopt(IPPROTO_IP,
    /// IP_ADD_MEMBERSHIP)` with a `struct ip_mreqn` (Linux 2.2 or later) for an
    /// IPv4 group, `setsockopt(IPPROTO_IPV6, IPV6_JOIN_GROUP)` with a
    /// `struct ipv6_mreq` (Linux 2.2 or later) for an IPv6 group.
    public func joinMulticastGroup(_ group: SocketAddress, interfaceIndex: UInt32 = 0) throws(SocketError) {
        switch group.storage {
        case .inet(let host, _):
            try Syscalls.setOption(descriptor, Int32(IPPROTO_IP), IP_ADD_MEMBERSHIP,
                                   Self.membership(host, interfaceIndex), "setsockopt(IP_ADD_MEMBERSHIP)")
        case .inet6(let host, _, _):
            try Syscalls.setOption(descriptor, Int32(IPPROTO_IPV6), IPV6_JOIN_GROUP,
                                   Self.membership(host, interfaceIndex),
                                   "setsockopt(IPV6_JOIN_GROUP)")
        }
    }

    /// Ends the membership ``joinMulticastGroup(_:interfaceIndex:)`` began; a
    /// group this socket is not a member of fails with `EADDRNOTAVAIL`.
    /// Closing the socket leaves every group it joined.
    /// The corresponding C calls are `setsockopt(IPPROTO_IP, IP_DROP_MEMBERSHIP)`
    /// and `setsockopt(IPPROTO_IPV6, IPV6_LEAVE_GROUP)`; Linux 2.2 or later.
    public func leaveMulticastGroup(_ group: SocketAddress, interfaceIndex: UInt32 = 0) throws(SocketError) {
        switch group.storage {
        case .inet(let host, _):
            try Syscalls.setOption(descriptor, Int32(IPPROTO_IP), IP_DROP_MEMBERSHIP,
                                   Self.membership(host, interfaceIndex), "setsockopt(IP_DROP_MEMBERSHIP)")
        case .inet6(let host, _, _):
            try Syscalls.setOption(descriptor, Int32(IPPROTO_IPV6), IPV6_LEAVE_GROUP,
                                   Self.membership(host, interfaceIndex),
                                   "setsockopt(IPV6_LEAVE_GROUP)")
        }
    }

    /// Sends this socket's datagrams to multicast groups out of the interface
    /// with index `index` (0: wherever the routing table says).
    /// The corresponding C calls are `setsockopt(IPPROTO_IP, IP_MULTICAST_IF)`
    /// with a `struct ip_mreqn` (Linux 2.2 or later) and, on an IPv6 socket,
    /// `setsockopt(IPPROTO_IPV6, IPV6_MULTICAST_IF)` (Linux 2.2 or later).
    public func setMulticastInterface(index: UInt32) throws(SocketError) {
        let v4 = Self.membership(0, index)
        if family == .inet6 {
            try Syscalls.setOption(descriptor, Int32(IPPROTO_IPV6), IPV6_MULTICAST_IF, Int32(bitPattern: index),
                                   "setsockopt(IPV6_MULTICAST_IF)")
            _ = try? Syscalls.setOption(descriptor, Int32(IPPROTO_IP), IP_MULTICAST_IF, v4, "setsockopt(IP_MULTICAST_IF)")
        } else {
            try Syscalls.setOption(descriptor, Int32(IPPROTO_IP), IP_MULTICAST_IF, v4, "setsockopt(IP_MULTICAST_IF)")
        }
    }

    /// How many routers a datagram sent to a group may cross: 0 keeps it on
    /// this host, 1 (the default) on the link, up to 255; -1 restores the
    /// default. Other values fail with `EINVAL`.
    /// The corresponding C calls are `setsockopt(IPPROTO_IP, IP_MULTICAST_TTL)`
    /// and, on an IPv6 socket, `setsockopt(IPPROTO_IPV6, IPV6_MULTICAST_HOPS)`; Linux 2.2 or later.
    public func setMulticastHops(_ hops: Int) throws(SocketError) {
        let value = Int32(clamping: hops)
        if family == .inet6 {
            try Syscalls.setOption(descriptor, Int32(IPPROTO_IPV6), IPV6_MULTICAST_HOPS, value, "setsockopt(IPV6_MULTICAST_HOPS)")
            _ = try? Syscalls.setOption(descriptor, Int32(IPPROTO_IP), IP_MULTICAST_TTL, value, "setsockopt(IP_MULTICAST_TTL)")
        } else {
            try Syscalls.setOption(descriptor, Int32(IPPROTO_IP), IP_MULTICAST_TTL, value, "setsockopt(IP_MULTICAST_TTL)")
        }
    }

    /// The hop limit of datagrams this socket sends to groups (see ``setMulticastHops(_:)``),
    /// for its own family. The corresponding C calls are `getsockopt(IPPROTO_IP,
    /// IP_MULTICAST_TTL)` and `getsockopt(IPPROTO_IPV6, IPV6_MULTICAST_HOPS)`; Linux 2.2 or later.
    public var multicastHops: Int {
        get throws(SocketError) {
            family == .inet6
                ? Int(try Syscalls.intOption(descriptor, Int32(IPPROTO_IPV6), IPV6_MULTICAST_HOPS, "getsockopt(IPV6_MULTICAST_HOPS)"))
                : Int(try Syscalls.intOption(descriptor, Int32(IPPROTO_IP), IP_MULTICAST_TTL, "getsockopt(IP_MULTICAST_TTL)"))
        }
    }

    /// Whether a datagram this socket sends to a group is also delivered to the
    /// group's members on this host (the default: on). Off, only other hosts get it.
    /// The corresponding C calls are `setsockopt(IPPROTO_IP, IP_MULTICAST_LOOP)`
    /// and, on an IPv6 socket, `setsockopt(IPPROTO_IPV6, IPV6_MULTICAST_LOOP)`; Linux 2.2 or later.
    public func setMulticastLoopback(_ enabled: Bool) throws(SocketError) {
        let value = Int32(enabled ? 1 : 0)
        if family == .inet6 {
            try Syscalls.setOption(descriptor, Int32(IPPROTO_IPV6), IPV6_MULTICAST_LOOP, value, "setsockopt(IPV6_MULTICAST_LOOP)")
            _ = try? Syscalls.setOption(descriptor, Int32(IPPROTO_IP), IP_MULTICAST_LOOP, value, "setsockopt(IP_MULTICAST_LOOP)")
        } else {
            try Syscalls.setOption(descriptor, Int32(IPPROTO_IP), IP_MULTICAST_LOOP, value, "setsockopt(IP_MULTICAST_LOOP)")
        }
    }

    /// Whether sends to a group loop back to this host's members (see ``setMulticastLoopback(_:)``),
    /// for the socket's own family. The corresponding C calls are `getsockopt(IPPROTO_IP,
    /// IP_MULTICAST_LOOP)` and `getsockopt(IPPROTO_IPV6, IPV6_MULTICAST_LOOP)`; Linux 2.2 or later.
    public var isMulticastLoopbackEnabled: Bool {
        get throws(SocketError) {
            family == .inet6
                ? try Syscalls.intOption(descriptor, Int32(IPPROTO_IPV6), IPV6_MULTICAST_LOOP, "getsockopt(IPV6_MULTICAST_LOOP)") != 0
                : try Syscalls.intOption(descriptor, Int32(IPPROTO_IP), IP_MULTICAST_LOOP, "getsockopt(IP_MULTICAST_LOOP)") != 0
        }
    }

    /// A `struct ipv6_mreq` for `group` on interface `index`.
    private static func membership(_ group: SocketAddress.IPv6Bytes, _ index: UInt32) -> CMPPSLinux_ipv6_mreq {
        var request = CMPPSLinux_ipv6_mreq()
        request.interface = index
        // Safety: both are the 16 bytes of an IPv6 address in network order.
        withUnsafeMutableBytes(of: &request.multiaddr) { target in
            withUnsafeBytes(of: group) { target.copyMemory(from: $0) }
        }
        return request
    }

    /// A `struct ip_mreqn` for `group` (host order) on interface `index`, any local address.
    private static func membership(_ group: UInt32, _ index: UInt32) -> ip_mreqn {
        ip_mreqn(imr_multiaddr: in_addr(s_addr: group.bigEndian), imr_address: in_addr(s_addr: 0),
                 imr_ifindex: Int32(bitPattern: index))
    }
}
