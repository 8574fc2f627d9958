#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Testing

// Swift Testing's macros cannot capture noncopyable values, so every value
// read from a socket is taken into a local before it is checked.

@Suite("UDPSocket options, bind and connect")
struct UDPSocketTests {
    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func bindingPortZeroGetsAnEphemeralPort(_ family: SocketAddress.Family) throws {
        let socket = try boundLoopbackSocket(family)
        let (socketFamily, descriptor) = (socket.family, socket.descriptor)
        let local = try socket.localAddress()
        #expect(socketFamily == family)
        #expect(descriptor >= 0)
        #expect(local.family == family)
        #expect(local.port != 0)
        #expect(local == loopback(family, port: local.port))
    }

    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func connectingBindsAnEphemeralLoopbackSource(_ family: SocketAddress.Family) throws {
        let receiver = try boundLoopbackSocket(family)
        let sender = try UDPSocket(family: family)
        try sender.connect(to: try receiver.localAddress())
        let local = try sender.localAddress()
        #expect(local.port != 0)
        #expect(local == loopback(family, port: local.port))
    }

    /// SO_MEMINFO's queued bytes: 0 when empty, more than the payloads while 3 datagrams wait
    /// (each is charged its whole buffer), 0 again once they are read.
    @Test func queuedBytesFollowTheReceiveQueue() throws {
        let receiver = try UDPSocket(family: .inet)
        try receiver.setReceiveTimeout(milliseconds: 2000)
        try receiver.bind(to: loopback(.inet))
        let sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        let empty = try UDPSocket.queuedBytes(descriptor: receiver.descriptor)
        #expect(empty == 0)
        let outbound = SendBatch(capacity: 3, payloadSize: 32)
        let sent = try outbound.send(on: sender, from: 0, to: 3)
        #expect(sent == 3)
        let waiting = try UDPSocket.queuedBytes(descriptor: receiver.descriptor)
        #expect(waiting > 3 * 32)
        var inbound = ReceiveBatch(capacity: 8, slotSize: 2048)
        let received = try inbound.receive(from: receiver)
        #expect(received == 3)
        let drained = try UDPSocket.queuedBytes(descriptor: receiver.descriptor)
        #expect(drained == 0)
    }

    /// Linux reports twice the request (room for its bookkeeping); a plain
    /// request is first capped at net.core.rmem_max, a forced one (root) is not.
    @Test func receiveBufferIsDoubledAndCappedOnlyWithoutPrivilege() throws {
        let socket = try UDPSocket(family: .inet)
        let request = 1 << 20
        let granted = try socket.setReceiveBufferSize(request)
        let reported = try socket.receiveBufferSize
        let rmemMax = try #require(sysctlInteger("net/core/rmem_max"))
        let expected = getuid() == 0 ? 2 * request : 2 * min(request, rmemMax)
        #expect(granted == expected)
        #expect(reported == granted)
        if getuid() == 0 { #expect(granted >= request) }
    }

    @Test(.enabled(if: getuid() == 0, "SO_RCVBUFFORCE needs CAP_NET_ADMIN"))
    func forcedReceiveBufferExceedsTheCapButAPlainOneDoesNot() throws {
        let rmemMax = try #require(sysctlInteger("net/core/rmem_max"))
        let request = 2 * rmemMax
        let socket = try UDPSocket(family: .inet)
        let plain = try socket.setReceiveBufferSize(request, force: false)
        let forced = try socket.setReceiveBufferSize(request)
        #expect(plain == 2 * rmemMax)
        #expect(forced == 2 * request)
    }

    @Test func sendBufferFollowsTheSameRules() throws {
        let socket = try UDPSocket(family: .inet6)
        let request = 1 << 20
        let wmemMax = try #require(sysctlInteger("net/core/wmem_max"))
        let granted = try socket.setSendBufferSize(request)
        let reported = try socket.sendBufferSize
        let plain = try socket.setSendBufferSize(request, force: false)
        #expect(granted == (getuid() == 0 ? 2 * request : 2 * min(request, wmemMax)))
        #expect(reported == granted)
        #expect(plain == 2 * min(request, wmemMax))
    }

    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func bindingATakenPortFailsWithEADDRINUSE(_ family: SocketAddress.Family) throws {
        let first = try boundLoopbackSocket(family)
        let taken = try first.localAddress()
        let second = try UDPSocket(family: family)
        let error = caught { () throws(SocketError) in try second.bind(to: taken) }
        #expect(error == SocketError("bind", code: EADDRINUSE))
        #expect(error?.code == EADDRINUSE)
        #expect(error.map { "\($0.operation)" } == "bind")
        #expect(error?.description == "bind: address already in use")
    }

    @Test func reusePortLetsTwoSocketsBindOnePort() throws {
        let first = try UDPSocket(family: .inet)
        try first.setReusePort(true)
        try first.bind(to: loopback(.inet))
        let shared = try first.localAddress()
        let second = try UDPSocket(family: .inet)
        try second.setReusePort(true)
        try second.bind(to: shared)
        let secondLocal = try second.localAddress()
        #expect(secondLocal == shared)
        // A third socket that did not join the group is still refused.
        let outsider = try UDPSocket(family: .inet)
        let error = caught { () throws(SocketError) in try outsider.bind(to: shared) }
        #expect(error == SocketError("bind", code: EADDRINUSE))
    }

    @Test func singleDatagramSendAndSendTo() throws {
        let receiver = try boundLoopbackSocket(.inet)
        try receiver.setReceiveTimeout(milliseconds: 1000)
        let target = try receiver.localAddress()
        let unconnected = try UDPSocket(family: .inet)
        let connected = try UDPSocket(family: .inet)
        try connected.connect(to: target)
        let message: [UInt8] = Array("hello, loopback".utf8)
        let sentTo = try message.withUnsafeBytes { bytes in try unconnected.send(bytes, to: target) }
        let sent = try message.withUnsafeBytes { bytes in try connected.send(bytes) }
        #expect(sentTo == message.count)
        #expect(sent == message.count)
        // The unconnected socket was bound to 0.0.0.0 by its first send; the
        // datagram still comes from 127.0.0.1, the address it was sent to.
        let unconnectedLocal = try unconnected.localAddress()
        #expect(unconnectedLocal == SocketAddress(ipv4: 0, 0, 0, 0, port: unconnectedLocal.port))
        let sources = [loopback(.inet, port: unconnectedLocal.port), try connected.localAddress()]

        var batch = ReceiveBatch(capacity: 4, slotSize: 64)
        var payloads: [[UInt8]] = []
        var from: [SocketAddress?] = []
        for _ in 0..<4 where payloads.count < 2 {
            let n = try batch.receive(from: receiver)
            if n == 0 { break }
            for i in 0..<n {
                payloads.append(batch.withUnsafeBytes(at: i) { Array($0) })
                from.append(batch.sourceAddress(at: i))
            }
        }
        #expect(payloads == [message, message])
        #expect(from == sources.map(Optional.some))
    }

    @Test func plainSendOnAnUnconnectedSocketNamesTheOperation() throws {
        let socket = try UDPSocket(family: .inet)
        let bytes: [UInt8] = [1, 2, 3, 4]
        // Array.withUnsafeBytes rethrows untyped, hence the cast.
        let error = caught { () throws in
            _ = try bytes.withUnsafeBytes { buffer in try socket.send(buffer) }
        } as? SocketError
        #expect(error == SocketError("send", code: EDESTADDRREQ))
        #expect(error?.description == "send: destination address required")
    }
}
