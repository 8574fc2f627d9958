#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

/// A UDP socket that owns its descriptor and closes it exactly once, when the
/// value ends. It cannot be copied, so two owners can never close it twice.
///
/// It is `Sendable`, and what it owns (a descriptor, the family, the ``sendState``)
/// is plain data, so one thread can own a socket and send and receive on it with
/// no locks. Being `~Copyable`, it cannot be captured by a thread's closure or kept
/// in an array: hand sockets to threads with ``ReusePortGroup`` (one socket per
/// thread, each passed `inout`) or ``DatagramStream`` (a thread of its own for
/// async/await code).
///
/// The options are the ones the article uses: `SO_REUSEADDR`, `SO_REUSEPORT`,
/// `SO_RCVBUF`/`SO_SNDBUF` (with the `FORCE` variants when permitted), `bind`
/// and `connect`. The corresponding C function is `socket(2)`.
public struct UDPSocket: ~Copyable, Sendable {
    /// The file descriptor. Valid for the life of this value; do not close it.
    public let descriptor: Int32
    /// The address family the socket was created for.
    public let family: SocketAddress.Family
    /// What sending on this socket has learned: whether the kernel refused UDP GSO
    /// on it, so that ``SendBatch/sendAll(from:firstSegment:to:on:)`` sends one
    /// datagram per message from then on. Starts allowing GSO.
    public internal(set) var sendState = SendState()

    /// Opens a blocking UDP socket for `family`.
    /// The corresponding C function is `socket(AF_INET or AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)`.
    public init(family: SocketAddress.Family) throws(SocketError) {
        descriptor = try Syscalls.socket(domain: family.rawValue, type: Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
        self.family = family
    }

    deinit { Syscalls.close(descriptor) }

    /// Lets several sockets bind the same address while one is in TIME_WAIT-like states.
    /// The corresponding C call is `setsockopt(SO_REUSEADDR)`.
    public func setReuseAddress(_ enabled: Bool) throws(SocketError) {
        try Syscalls.setOption(descriptor, SOL_SOCKET, SO_REUSEADDR, Int32(enabled ? 1 : 0), "setsockopt(SO_REUSEADDR)")
    }

    /// Joins this socket to an SO_REUSEPORT group: every socket of one user that
    /// sets it before `bind` may bind the same address, and the kernel spreads
    /// incoming flows across them by a hash of the 4-tuple.
    /// The corresponding C call is `setsockopt(SO_REUSEPORT)`; Linux 3.9 or later.
    public func setReusePort(_ enabled: Bool) throws(SocketError) {
        try Syscalls.setOption(descriptor, SOL_SOCKET, CMPPSLinux_SO_REUSEPORT, Int32(enabled ? 1 : 0), "setsockopt(SO_REUSEPORT)")
    }

    /// Asks for a receive buffer of `bytes` and returns what the kernel granted,
    /// as `getsockopt(SO_RCVBUF)` reports it (Linux doubles the request to allow
    /// for its bookkeeping, and caps a plain request at `net.core.rmem_max`).
    ///
    /// With `force`, `SO_RCVBUFFORCE` is tried first, which may exceed the cap
    /// but needs `CAP_NET_ADMIN`; without that privilege it falls back to `SO_RCVBUF`.
    @discardableResult
    public func setReceiveBufferSize(_ bytes: Int, force: Bool = true) throws(SocketError) -> Int {
        let request = Int32(clamping: bytes)
        if !force || (try? Syscalls.setOption(descriptor, SOL_SOCKET, CMPPSLinux_SO_RCVBUFFORCE, request, "setsockopt(SO_RCVBUFFORCE)")) == nil {
            try Syscalls.setOption(descriptor, SOL_SOCKET, SO_RCVBUF, request, "setsockopt(SO_RCVBUF)")
        }
        return try receiveBufferSize
    }

    /// Asks for a send buffer of `bytes`; returns what the kernel granted.
    /// The same rules as ``setReceiveBufferSize(_:force:)``, with `SO_SNDBUF`.
    @discardableResult
    public func setSendBufferSize(_ bytes: Int, force: Bool = true) throws(SocketError) -> Int {
        let request = Int32(clamping: bytes)
        if !force || (try? Syscalls.setOption(descriptor, SOL_SOCKET, CMPPSLinux_SO_SNDBUFFORCE, request, "setsockopt(SO_SNDBUFFORCE)")) == nil {
            try Syscalls.setOption(descriptor, SOL_SOCKET, SO_SNDBUF, request, "setsockopt(SO_SNDBUF)")
        }
        return try sendBufferSize
    }

    /// The receive buffer size in bytes, as `getsockopt(SO_RCVBUF)` reports it.
    public var receiveBufferSize: Int {
        get throws(SocketError) { Int(try Syscalls.intOption(descriptor, SOL_SOCKET, SO_RCVBUF, "getsockopt(SO_RCVBUF)")) }
    }

    /// The send buffer size in bytes, as `getsockopt(SO_SNDBUF)` reports it.
    public var sendBufferSize: Int {
        get throws(SocketError) { Int(try Syscalls.intOption(descriptor, SOL_SOCKET, SO_SNDBUF, "getsockopt(SO_SNDBUF)")) }
    }

    /// Makes a blocking receive give up after `milliseconds` with EAGAIN, so a
    /// receiving thread can notice a stop request even when no traffic arrives.
    /// 0 means wait forever, as the kernel reads it.
    /// The corresponding C call is `setsockopt(SO_RCVTIMEO)`.
    public func setReceiveTimeout(milliseconds: Int) throws(SocketError) {
        let value = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        try Syscalls.setOption(descriptor, SOL_SOCKET, SO_RCVTIMEO, value, "setsockopt(SO_RCVTIMEO)")
    }

    /// Makes a blocking send give up after `milliseconds` with EAGAIN; 0 means wait forever.
    /// The corresponding C call is `setsockopt(SO_SNDTIMEO)`.
    public func setSendTimeout(milliseconds: Int) throws(SocketError) {
        let value = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        try Syscalls.setOption(descriptor, SOL_SOCKET, SO_SNDTIMEO, value, "setsockopt(SO_SNDTIMEO)")
    }

    /// Turns UDP GSO on: from now on the kernel cuts every message sent on this
    /// socket into datagrams of `bytes` (the last may be shorter), so one
    /// message can carry up to 128 datagrams through the stack in one pass.
    /// 0 turns it off. The size is kept in ``sendState``, so that
    /// ``SendBatch/sendAll(from:firstSegment:to:on:)`` counts the datagrams the
    /// kernel cuts even from a batch of one datagram per message. (A segmented
    /// ``SendBatch`` needs no socket setting: each of its messages carries its own.)
    /// The corresponding C call is `setsockopt(SOL_UDP, UDP_SEGMENT)`; Linux 4.18 or later.
    public mutating func setSegmentSize(_ bytes: Int) throws(SocketError) {
        try Self.setSegmentSize(bytes, descriptor: descriptor, state: &sendState)
    }

    /// ``setSegmentSize(_:)`` on a descriptor whose socket is owned elsewhere,
    /// recording the size in the ``SendState`` its senders keep.
    public static func setSegmentSize(_ bytes: Int, descriptor: Int32, state: inout SendState) throws(SocketError) {
        try Syscalls.setOption(descriptor, CMPPSLinux_SOL_UDP, CMPPSLinux_UDP_SEGMENT, Int32(clamping: bytes), "setsockopt(UDP_SEGMENT)")
        state.recordSocketSegmentSize(max(0, min(bytes, Int(UInt16.max))))
    }

    /// Turns UDP GRO on or off: with it, the kernel may hand several datagrams
    /// of one flow to a single receive as one message, with their size in a
    /// `UDP_GRO` control message (see ``ReceiveBatch/segmentSize(at:)``). A
    /// ``ReceiveBatch`` reserves room for that message by default; one made with
    /// less refuses the calls whose segment sizes it could not hold.
    /// The corresponding C call is `setsockopt(SOL_UDP, UDP_GRO)`; Linux 5.0 or later.
    public func setReceiveCoalescing(_ enabled: Bool) throws(SocketError) {
        try Syscalls.setOption(descriptor, CMPPSLinux_SOL_UDP, CMPPSLinux_UDP_GRO, Int32(enabled ? 1 : 0), "setsockopt(UDP_GRO)")
    }

    /// Asks the kernel to tell, with each datagram received, the address it was
    /// sent to (see ``ReceiveBatch/destinationAddress(at:)``): the way a server bound
    /// to a wildcard address learns which of its addresses a client used, so that
    /// its reply can come from there. The corresponding C calls are
    /// `setsockopt(IPPROTO_IP, IP_PKTINFO)` (Linux 2.2 or later) and, on an IPv6
    /// socket, `setsockopt(IPPROTO_IPV6, IPV6_RECVPKTINFO)` too (Linux 2.6.14 or
    /// later), so that IPv4 clients of a dual-stack socket are covered as well.
    public func setReceiveDestinationAddress(_ enabled: Bool) throws(SocketError) {
        let value = Int32(enabled ? 1 : 0)
        if family == .inet6 {
            try Syscalls.setOption(descriptor, Int32(IPPROTO_IPV6), CMPPSLinux_IPV6_RECVPKTINFO, value, "setsockopt(IPV6_RECVPKTINFO)")
            // An IPv6-only socket never sees IPv4 datagrams; a refusal here changes nothing.
            _ = try? Syscalls.setOption(descriptor, Int32(IPPROTO_IP), CMPPSLinux_IP_PKTINFO, value, "setsockopt(IP_PKTINFO)")
        } else {
            try Syscalls.setOption(descriptor, Int32(IPPROTO_IP), CMPPSLinux_IP_PKTINFO, value, "setsockopt(IP_PKTINFO)")
        }
    }

    /// Packets the kernel dropped at this socket since it was opened (its
    /// receive buffer was full, or memory ran out): exact, and this socket's
    /// alone, unlike the host-wide RcvbufErrors.
    ///
    /// It counts what the kernel queues, which is a datagram unless the socket
    /// has UDP GRO on (``setReceiveCoalescing(_:)``): then a coalesced packet of up
    /// to 64 datagrams is dropped, and counted, once. The kernel keeps no count of
    /// the datagrams in the packets it dropped, and `SO_RXQ_OVFL` reports this same
    /// counter, so no socket option gives datagram-level drops under GRO: number
    /// the datagrams (``SequenceHeader``) and count the gaps.
    /// The corresponding C call is `getsockopt(SO_MEMINFO)`; Linux 4.6 or later.
    public var dropCount: UInt64 {
        get throws(SocketError) { try Self.dropCount(descriptor: descriptor) }
    }

    /// ``dropCount`` of a descriptor whose socket is owned elsewhere.
    public static func dropCount(descriptor: Int32) throws(SocketError) -> UInt64 {
        // SK_MEMINFO_VARS is 9 u32s on Linux 4.6+; SK_MEMINFO_DROPS is the last (index 8).
        var values = (UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0))
        let length = try Syscalls.getOption(descriptor, SOL_SOCKET, SO_MEMINFO, into: &values, "getsockopt(SO_MEMINFO)")
        guard length >= 36 else { throw SocketError("getsockopt(SO_MEMINFO)", code: ENOPROTOOPT) }
        return UInt64(values.8)
    }

    /// Bytes the socket's receive queue holds now, counted as the kernel
    /// charges them (each datagram's whole buffer, not its payload): 0 once
    /// every datagram that arrived has been read.
    /// The corresponding C call is `getsockopt(SO_MEMINFO)` (SK_MEMINFO_RMEM_ALLOC); Linux 4.6 or later.
    public static func queuedBytes(descriptor: Int32) throws(SocketError) -> UInt64 {
        var values = (UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0))
        let length = try Syscalls.getOption(descriptor, SOL_SOCKET, SO_MEMINFO, into: &values, "getsockopt(SO_MEMINFO)")
        guard length >= 4 else { throw SocketError("getsockopt(SO_MEMINFO)", code: ENOPROTOOPT) }
        return UInt64(values.0)
    }

    /// The CPU that last processed a datagram for this socket in the kernel, or
    /// -1 when none is known. Linux records it only for connected UDP sockets
    /// (measured on 6.18: an unconnected receiver stays at -1); on loopback it is
    /// the sender's CPU. The corresponding C call is `getsockopt(SO_INCOMING_CPU)`;
    /// Linux 3.19 or later.
    public var incomingCPU: Int {
        get throws(SocketError) { try Self.incomingCPU(descriptor: descriptor) }
    }

    /// ``incomingCPU`` of a descriptor whose socket is owned elsewhere.
    public static func incomingCPU(descriptor: Int32) throws(SocketError) -> Int {
        Int(try Syscalls.intOption(descriptor, SOL_SOCKET, CMPPSLinux_SO_INCOMING_CPU, "getsockopt(SO_INCOMING_CPU)"))
    }

    /// Ends reading on this socket: a thread blocked in ``ReceiveBatch/receive(from:limit:)``
    /// wakes, gets what was already queued, and then ``Errno/shutDown``, as does every
    /// later receive. Sending still works (an echo server can answer what it drained).
    /// Safe to call from another thread while one receives, as long as the socket
    /// is open: ``ReusePortGroup/stop()`` does it for the sockets it owns.
    /// The corresponding C function is `shutdown(2)` with `SHUT_RD`; an unconnected
    /// UDP socket's `ENOTCONN` is not an error here (Linux shuts it down all the same).
    public func shutdownReceiving() throws(SocketError) {
        try Syscalls.shutdownReading(descriptor)
    }

    /// Makes receives and sends return at once instead of waiting: a receive
    /// with nothing queued returns 0 messages, a send with no room returns 0.
    /// Wait for readiness with ``PollSet``. The corresponding C call is `fcntl(F_SETFL, O_NONBLOCK)`.
    public func setNonBlocking(_ enabled: Bool) throws(SocketError) {
        try Syscalls.setNonBlocking(descriptor, enabled)
    }

    /// Whether the socket is non-blocking. The corresponding C call is `fcntl(F_GETFL)`.
    public var isNonBlocking: Bool {
        get throws(SocketError) { try Syscalls.isNonBlocking(descriptor) }
    }

    /// Binds the socket to a local address. The corresponding C function is `bind(2)`.
    public func bind(to address: SocketAddress) throws(SocketError) {
        try Syscalls.bind(descriptor, to: address)
    }

    /// Fixes the peer, so plain sends need no address and ICMP errors from the
    /// peer come back as `ECONNREFUSED`. The corresponding C function is `connect(2)`.
    public func connect(to address: SocketAddress) throws(SocketError) {
        try Syscalls.connect(descriptor, to: address)
    }

    /// The address the socket is bound to; after binding port 0, the port the kernel chose.
    /// The corresponding C function is `getsockname(2)`.
    public func localAddress() throws(SocketError) -> SocketAddress {
        try Syscalls.localAddress(descriptor)
    }

    /// Sends one datagram on a connected socket; returns the bytes sent.
    /// The corresponding C function is `send(2)`. Use ``SendBatch`` for many.
    @discardableResult
    public func send(_ bytes: UnsafeRawBufferPointer) throws(SocketError) -> Int {
        try Syscalls.send(descriptor, bytes)
    }

    /// Sends one datagram to `address`; returns the bytes sent.
    /// The corresponding C function is `sendto(2)`.
    @discardableResult
    public func send(_ bytes: UnsafeRawBufferPointer, to address: SocketAddress) throws(SocketError) -> Int {
        try Syscalls.send(descriptor, bytes, to: address)
    }
}
