#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Testing

/// IPV6_V6ONLY and SO_BROADCAST on real loopback sockets, with exact datagrams.
@Suite("UDPSocket IPV6_V6ONLY and SO_BROADCAST")
struct SocketOptionsTests {
    /// A wildcard IPv6 port that no IPv4 socket holds: a dual-stack bind took both, then let go.
    func dualStackFreePort() throws -> UInt16 {
        try { () throws(SocketError) -> UInt16 in
            let probe = try UDPSocket(family: .inet6)
            try probe.setIPv6Only(false)
            try probe.bind(to: .wildcard(.inet6, port: 0))
            return try probe.localAddress().port
        }()
    }

    /// Sends an IPv4 datagram (byte 4) and an IPv6 one (byte 6) to `port` and
    /// returns what `receiver` got: payloads and sources, in order.
    func receiveFromBothFamilies(_ receiver: borrowing UDPSocket, port: UInt16,
                                 expectingIPv4Refusal: Bool) throws -> [(payload: [UInt8], source: SocketAddress?)] {
        let v4 = try UDPSocket(family: .inet)
        try v4.setReceiveErrors(true)
        try v4.bind(to: loopback(.inet))
        if expectingIPv4Refusal {
            let attempts = try sendUntilRefused(v4, to: loopback(.inet, port: port))
            let entry = try v4.nextQueuedError()
            #expect(attempts >= 1)
            #expect(entry?.errno == .connectionRefused && entry?.destination == loopback(.inet, port: port))
        } else {
            let sent = try v4.send([4], to: loopback(.inet, port: port))
            #expect(sent == 1)
        }
        let v6 = try UDPSocket(family: .inet6)
        try v6.bind(to: loopback(.inet6))
        let sent = try v6.send([6], to: loopback(.inet6, port: port))
        #expect(sent == 1)
        var batch = ReceiveBatch(capacity: 8, slotSize: 64)
        var got: [(payload: [UInt8], source: SocketAddress?)] = []
        while got.count < (expectingIPv4Refusal ? 1 : 2) {
            let count = try batch.receive(from: receiver)
            #expect(count > 0, "a datagram within the receive timeout")
            if count == 0 { break }
            for index in 0..<count { got.append((payload: Array(batch.unsafeBytes(at: index)), source: batch.sourceAddress(at: index))) }
        }
        return got
    }

    @Test func anIPv6OnlySocketRefusesIPv4AndReceivesIPv6() throws {
        let port = try dualStackFreePort()
        let receiver = try UDPSocket(family: .inet6)
        try receiver.setIPv6Only(true)
        let only = try receiver.isIPv6Only
        #expect(only)
        try receiver.setReceiveTimeout(milliseconds: 5000)
        try receiver.bind(to: .wildcard(.inet6, port: port))
        let got = try receiveFromBothFamilies(receiver, port: port, expectingIPv4Refusal: true)
        #expect(got.map(\.payload) == [[6]])
        #expect(got.first?.source?.hostDescription == "::1")
        // Too late once bound.
        let late = caught { () throws(SocketError) in try receiver.setIPv6Only(false) }
        #expect(late == SocketError("setsockopt(IPV6_V6ONLY)", code: EINVAL))
    }

    @Test func aDualStackSocketReceivesBothWithIPv4Mapped() throws {
        let port = try dualStackFreePort()
        let receiver = try UDPSocket(family: .inet6)
        try receiver.setIPv6Only(false)
        let only = try receiver.isIPv6Only
        #expect(!only)
        try receiver.setReceiveTimeout(milliseconds: 5000)
        try receiver.bind(to: .wildcard(.inet6, port: port))
        let got = try receiveFromBothFamilies(receiver, port: port, expectingIPv4Refusal: false)
        // Two sends, possibly processed on two CPUs: compare without order.
        #expect(got.map(\.payload).sorted { $0[0] < $1[0] } == [[4], [6]])
        #expect(got.first { $0.payload == [4] }?.source?.hostDescription == "::ffff:127.0.0.1")
        #expect(got.first { $0.payload == [6] }?.source?.hostDescription == "::1")
    }

    /// The default follows net.ipv6.bindv6only; an IPv4 socket has no such option.
    @Test func theDefaultIsTheSysctlAndIPv4HasNone() throws {
        let socket = try UDPSocket(family: .inet6)
        let only = try socket.isIPv6Only
        #expect(only == (sysctlInteger("net/ipv6/bindv6only") == 1))
        let v4 = try UDPSocket(family: .inet)
        let refusal = caught { () throws(SocketError) in try v4.setIPv6Only(true) }
        #expect(refusal == SocketError("setsockopt(IPV6_V6ONLY)", code: ENOPROTOOPT))
    }

    @Test func broadcastNeedsTheOptionThenArrives() throws {
        let receiver = try UDPSocket(family: .inet)
        try receiver.setReceiveTimeout(milliseconds: 5000)
        try receiver.bind(to: .wildcard(.inet, port: 0))
        let target = SocketAddress(ipv4: 127, 255, 255, 255, port: try receiver.localAddress().port)
        let sender = try boundLoopbackSocket(.inet)
        let before = try sender.isBroadcastEnabled
        #expect(!before)
        let refusal = caught { () throws(SocketError) in try sender.send([0xb0], to: target) }
        #expect(refusal == SocketError("sendto", code: EACCES))
        #expect(refusal?.errno == .permissionDenied)

        try sender.setBroadcast(true)
        let after = try sender.isBroadcastEnabled
        #expect(after)
        let sent = try sender.send([0xb0, 0x0c], to: target)
        #expect(sent == 2)
        var batch = ReceiveBatch(capacity: 4, slotSize: 64)
        let count = try batch.receive(from: receiver)
        #expect(count == 1)
        let (payload, source, local) = (Array(batch.unsafeBytes(at: 0)), batch.sourceAddress(at: 0), try sender.localAddress())
        #expect(payload == [0xb0, 0x0c])
        #expect(source == local)
    }

    @Test func newErrnoNamesAreTheCValues() {
        #expect(Errno.addressInUse.rawValue == EADDRINUSE)
        #expect(Errno.hostUnreachable.rawValue == EHOSTUNREACH)
        #expect(Errno.networkUnreachable.rawValue == ENETUNREACH)
        #expect(Errno.permissionDenied.rawValue == EACCES)
        #expect(Errno.addressInUse.description == "address already in use")
        #expect(Errno.hostUnreachable.description == "no route to host")
        #expect(Errno.networkUnreachable.description == "network is unreachable")
    }

    /// Binding a port another socket holds (neither with SO_REUSEPORT) names EADDRINUSE.
    @Test func aTakenPortIsAddressInUse() throws {
        let holder = try boundLoopbackSocket(.inet)
        let second = try UDPSocket(family: .inet)
        let taken = try holder.localAddress()
        let refusal = caught { () throws(SocketError) in try second.bind(to: taken) }
        #expect(refusal?.errno == .addressInUse)
    }
}
