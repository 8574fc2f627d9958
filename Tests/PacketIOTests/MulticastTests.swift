#if canImport(Glibc)
import Glibc
#endif
import NetLab
import PacketIO
import Testing

/// Multicast with real sockets and exact datagrams.
///
/// IPv4 runs on `lo`: it has no MULTICAST flag here, but the kernel joins
/// groups on it and, with `IP_MULTICAST_IF` set to it, delivers a datagram sent
/// to a joined group once. `lo` delivers everything it sends, so
/// `IP_MULTICAST_LOOP` makes no difference there. IPv6 has no multicast route
/// on `lo` (`ENETUNREACH`), and loopback on/off is only visible on a real
/// device: those tests use the host end of a veth pair into a namespace the
/// test creates (``VethLab``), where a group datagram goes out to the namespace
/// (no member there) and, with the loop option on, once to this host's members.
@Suite("UDPSocket multicast")
struct MulticastTests {
    static let labReason = "needs root, ip (iproute2) and python3 for a veth pair into a network namespace"

    /// The datagrams `receiver` gets up to and including the unicast `marker`
    /// (byte 0xee) sent after everything else: what arrived, and nothing more.
    func receiveUntilMarker(_ receiver: borrowing UDPSocket, family: SocketAddress.Family, port: UInt16)
        throws -> [(payload: [UInt8], source: SocketAddress?)] {
        let marker = try UDPSocket(family: family)
        let sent = try marker.send([0xee], to: loopback(family, port: port))
        #expect(sent == 1)
        var batch = ReceiveBatch(capacity: 8, slotSize: 256)
        var got: [(payload: [UInt8], source: SocketAddress?)] = []
        while got.last?.payload != [0xee] {
            let count = try batch.receive(from: receiver)
            if count == 0 { Issue.record("the marker did not arrive within the receive timeout"); break }
            for index in 0..<count { got.append((payload: Array(batch.unsafeBytes(at: index)), source: batch.sourceAddress(at: index))) }
        }
        return got
    }

    /// The next datagram `receiver` gets, or nil when the receive timeout passes.
    func receiveNext(_ receiver: borrowing UDPSocket) throws -> (payload: [UInt8], source: SocketAddress?)? {
        var batch = ReceiveBatch(capacity: 1, slotSize: 256)
        guard try batch.receive(from: receiver) == 1 else { return nil }
        return (payload: Array(batch.unsafeBytes(at: 0)), source: batch.sourceAddress(at: 0))
    }

    /// A receiver on the wildcard address of `family`, port chosen by the kernel, with a timeout.
    func wildcardReceiver(_ family: SocketAddress.Family) throws -> UDPSocket {
        let receiver = try UDPSocket(family: family)
        if family == .inet6 { try receiver.setIPv6Only(true) }
        try receiver.setReceiveTimeout(milliseconds: 5000)
        try receiver.bind(to: .wildcard(family, port: 0))
        return receiver
    }

    @Test func anIPv4GroupOnLoopbackDeliversOnceUntilLeft() throws {
        let lo = try #require(UDPSocket.interfaceIndex(named: "lo"))
        let group = SocketAddress(ipv4: 239, 255, 17, 1, port: 0)
        let receiver = try wildcardReceiver(.inet)
        let port = try receiver.localAddress().port
        try receiver.joinMulticastGroup(group, interfaceIndex: lo)
        let twice = caught { () throws(SocketError) in try receiver.joinMulticastGroup(group, interfaceIndex: lo) }
        #expect(twice == SocketError("setsockopt(IP_ADD_MEMBERSHIP)", code: EADDRINUSE))

        let sender = try boundLoopbackSocket(.inet)
        try sender.setMulticastInterface(index: lo)
        let source = try sender.localAddress()
        let sent = try sender.send([0x4d, 1], to: group.withPort(port))
        #expect(sent == 2)
        // The group's datagram first; then the marker, with no second copy before it.
        let joined = try receiveNext(receiver)
        #expect(joined?.payload == [0x4d, 1] && joined?.source == source)
        let afterwards = try receiveUntilMarker(receiver, family: .inet, port: port)
        #expect(afterwards.map(\.payload) == [[0xee]])

        try receiver.leaveMulticastGroup(group, interfaceIndex: lo)
        let again = caught { () throws(SocketError) in try receiver.leaveMulticastGroup(group, interfaceIndex: lo) }
        #expect(again == SocketError("setsockopt(IP_DROP_MEMBERSHIP)", code: EADDRNOTAVAIL))
        let sentAfterLeaving = try sender.send([0x4d, 2], to: group.withPort(port))
        #expect(sentAfterLeaving == 2)
        let left = try receiveUntilMarker(receiver, family: .inet, port: port)
        #expect(left.map(\.payload) == [[0xee]])
    }

    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func sendingOptionsReadBack(_ family: SocketAddress.Family) throws {
        let socket = try UDPSocket(family: family)
        let (hops, loop) = (try socket.multicastHops, try socket.isMulticastLoopbackEnabled)
        #expect(hops == 1 && loop)
        try socket.setMulticastHops(0)
        try socket.setMulticastLoopback(false)
        let (zero, off) = (try socket.multicastHops, try socket.isMulticastLoopbackEnabled)
        #expect(zero == 0 && !off)
        try socket.setMulticastHops(255)
        let most = try socket.multicastHops
        #expect(most == 255)
        try socket.setMulticastHops(-1)
        let restored = try socket.multicastHops
        #expect(restored == 1)
        let tooMany = caught { () throws(SocketError) in try socket.setMulticastHops(256) }
        #expect(tooMany?.errno == .invalidArgument)
    }

    @Test func aUnicastAddressIsNoGroup() throws {
        let v4 = try UDPSocket(family: .inet)
        let unicast4 = caught { () throws(SocketError) in try v4.joinMulticastGroup(loopback(.inet)) }
        #expect(unicast4 == SocketError("setsockopt(IP_ADD_MEMBERSHIP)", code: EINVAL))
        let v6 = try UDPSocket(family: .inet6)
        let unicast6 = caught { () throws(SocketError) in try v6.joinMulticastGroup(loopback(.inet6)) }
        #expect(unicast6 == SocketError("setsockopt(IPV6_JOIN_GROUP)", code: EINVAL))
    }

    /// On a real device: with the loop option a member on this host gets the
    /// datagram exactly once; without it, not at all.
    @Test(.enabled(if: VethLab.unavailableReason() == nil, Comment(rawValue: MulticastTests.labReason)),
          arguments: ["239.255.17.2", "ff02::4d50", "ff01::4d50"])
    func theLoopOptionDecidesWhetherThisHostsMembersGetIt(_ groupText: String) throws {
        let family: SocketAddress.Family = groupText.contains(":") ? .inet6 : .inet
        let lab = try VethLab(queues: 1, ipv6: family == .inet6)
        defer { lab.remove() }
        let index = try #require(UDPSocket.interfaceIndex(named: lab.hostEnd))
        let group = try SocketAddress(parsing: family == .inet6 ? "[\(groupText)]:0" : "\(groupText):0")
        let receiver = try wildcardReceiver(family)
        let port = try receiver.localAddress().port
        try receiver.joinMulticastGroup(group, interfaceIndex: index)

        let sender = try UDPSocket(family: family)
        try sender.setMulticastInterface(index: index)
        try sender.setMulticastLoopback(true)
        let sent = try sender.send([0x4d, 1], to: group.withPort(port))
        let senderPort = try sender.localAddress().port
        #expect(sent == 2)
        let looped = try receiveNext(receiver)
        #expect(looped?.payload == [0x4d, 1] && looped?.source?.port == senderPort)
        let afterwards = try receiveUntilMarker(receiver, family: family, port: port)
        #expect(afterwards.map(\.payload) == [[0xee]])

        try sender.setMulticastLoopback(false)
        let sentWithoutLoop = try sender.send([0x4d, 2], to: group.withPort(port))
        #expect(sentWithoutLoop == 2)
        let notLooped = try receiveUntilMarker(receiver, family: family, port: port)
        #expect(notLooped.map(\.payload) == [[0xee]])

        try receiver.leaveMulticastGroup(group, interfaceIndex: index)
    }
}
