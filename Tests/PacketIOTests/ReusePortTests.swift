#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Testing

@Suite("SO_REUSEPORT group on loopback")
struct ReusePortTests {
    @Test("64 flows × 10 datagrams into a group of 4: each arrives exactly once, each flow on one socket")
    func groupSpreadsFlowsAndLosesNothing() throws {
        let groupSize = 4, senderCount = 64, perSender = 10

        var group: [SocketBox] = []
        for i in 0..<groupSize {
            let socket = try UDPSocket(family: .inet)
            try socket.setReusePort(true)
            try socket.setReceiveBufferSize(4 << 20)
            try socket.setReceiveTimeout(milliseconds: 50)
            try socket.bind(to: i == 0 ? loopback(.inet) : group[0].socket.localAddress())
            group.append(SocketBox(socket))
        }
        let target = try group[0].socket.localAddress()
        var memberAddresses: [SocketAddress] = []
        for member in group { memberAddresses.append(try member.socket.localAddress()) }
        #expect(memberAddresses == Array(repeating: target, count: groupSize))

        // All senders stay open at once, so each has its own ephemeral port: 64 distinct flows.
        var senders: [SocketBox] = []
        var senderAddresses: [SocketAddress] = []
        for _ in 0..<senderCount {
            let socket = try UDPSocket(family: .inet)
            try socket.connect(to: target)
            senderAddresses.append(try socket.localAddress())
            senders.append(SocketBox(socket))
        }
        #expect(Set(senderAddresses.map(\.port)).count == senderCount)

        let outbound = SendBatch(capacity: perSender, payloadSize: 37)
        for (s, sender) in senders.enumerated() {
            for q in 0..<perSender { outbound.withUnsafeMutablePayload(at: q) { stamp($0, index: s * 1000 + q) } }
            var sent = 0
            for _ in 0..<20 where sent < perSender { sent += try outbound.send(on: sender.socket, from: sent, to: perSender) }
            try #require(sent == perSender, "sender \(s) sent \(sent) of \(perSender)")
        }

        // Loopback delivers in the sender's context, so everything is queued by now.
        var received: [[Int]] = Array(repeating: [], count: groupSize)
        var wrongSource = 0, badBytes = 0
        var inbound = ReceiveBatch(capacity: 64, slotSize: 64)
        for (g, member) in group.enumerated() {
            for _ in 0..<(senderCount * perSender) {
                let n = try inbound.receive(from: member.socket)
                if n == 0 { break }
                for i in 0..<n {
                    let id = inbound.withUnsafeBytes(at: i) { stampedIndex($0) } ?? -1
                    if !inbound.withUnsafeBytes(at: i, { isStamped($0, index: id, length: 37) }) { badBytes += 1 }
                    let s = id / 1000
                    if !(0..<senderCount).contains(s) || inbound.sourceAddress(at: i) != senderAddresses[s] { wrongSource += 1 }
                    received[g].append(id)
                }
            }
        }

        let all = received.flatMap { $0 }
        let expected = Set((0..<senderCount).flatMap { s in (0..<perSender).map { s * 1000 + $0 } })
        #expect(all.count == senderCount * perSender)
        #expect(Set(all).count == all.count, "a datagram arrived twice")
        #expect(Set(all) == expected)
        #expect(badBytes == 0)
        #expect(wrongSource == 0)
        #expect(received.filter { !$0.isEmpty }.count > 1, "per-socket counts: \(received.map(\.count))")
        // Without a BPF program the kernel picks the socket by a hash of the
        // 4-tuple, so each flow lands on one member only.
        for s in 0..<senderCount {
            let holders = received.indices.filter { g in received[g].contains { $0 / 1000 == s } }
            #expect(holders.count == 1, "sender \(s) spread over sockets \(holders)")
        }
    }
}
