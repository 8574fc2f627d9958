#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import NetLab
import PacketIO

/// The example programs, built from Examples/ and run as a user would, against
/// peers on 127.0.0.1 and ::1, or inside a veth pair the test makes, with bounded
/// traffic and time.
@Suite struct ExamplesTests {
    /// The 4-byte stamp of datagram `index` of client `client`, then a pattern.
    static func request(client: Int, index: Int, length: Int) -> [UInt8] {
        var bytes = [UInt8(client), UInt8(index & 0xff), UInt8(index >> 8), 0x5a]
        bytes += (4..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ client &* 7 &+ index) }
        return bytes
    }

    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func theEchoServerRepliesToEveryClientInBatches(family: SocketAddress.Family) throws {
        let clients = 4
        let perClient = 100
        let port = try freeLoopbackPort(family)
        let server = try ExampleProgram("EchoServer", ["--listen", "\(loopbackAddress(family, port: port))",
                                                       "--count", "\(clients * perClient)", "--idle-ms", "5000"])
        #expect(waitFor(seconds: 10) { udpPortIsBound(port, family: family) })

        // Each client sends its 100 requests in one burst (one sendmmsg), 20 to 119 bytes long.
        final class Client { let socket: UDPSocket; init(_ socket: consuming UDPSocket) { self.socket = socket } }
        var sockets: [Client] = []
        for client in 0..<clients {
            let socket = try UDPSocket(family: family)
            try socket.setReceiveBufferSize(1 << 20)
            try socket.setReceiveTimeout(milliseconds: 2000)
            try socket.connect(to: loopbackAddress(family, port: port))
            let batch = SendBatch(capacity: perClient, payloadSize: 128)
            for index in 0..<perClient {
                Self.request(client: client, index: index, length: 20 + index).withUnsafeBytes { batch.setMessage(copying: $0, at: index) }
            }
            var sent = 0
            while sent < perClient { sent += try batch.send(on: socket, from: sent, to: perClient) }
            sockets.append(Client(socket))
        }
        // Every client gets exactly its own requests back, byte for byte.
        var inbound = ReceiveBatch(capacity: 128, slotSize: 2048)
        for (client, socket) in sockets.enumerated() {
            var echoes: [[UInt8]] = []
            while echoes.count < perClient {
                if try inbound.receive(from: socket.socket) == 0 { break }
                inbound.forEachDatagram { echoes.append(Array($0.bytes)) }
            }
            #expect(echoes.count == perClient)
            #expect(Set(echoes) == Set((0..<perClient).map { Self.request(client: client, index: $0, length: 20 + $0) }))
        }
        let (status, output) = server.finish(within: 10)
        #expect(status == 0, "\(output)")
        let summary = output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(summary.hasPrefix("echoed 400 datagrams"), "\(summary)")
        let values = numbers(in: summary)  // datagrams, bytes, receives, sendmmsg calls
        try #require(values.count == 4, "\(summary)")
        let bytes = clients * (0..<perClient).reduce(0) { $0 + 20 + $1 }
        #expect(values[0] == 400)
        #expect(values[1] == bytes)
        // Batched replies: one sendmmsg per batch received, fewer calls than datagrams.
        #expect(values[3] == values[2], "\(summary)")
        #expect(values[3] < 400, "\(summary)")
    }

    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func theGROCounterCountsAGSOSendersDatagramsExactly(family: SocketAddress.Family) throws {
        let total = 6401  // 100 GSO messages of 64 datagrams, then one of 1
        let payload = 100
        let port = try freeLoopbackPort(family)
        let counter = try ExampleProgram("GROCounter", ["--listen", "\(loopbackAddress(family, port: port))",
                                                        "--count", "\(total)", "--idle-ms", "5000"])
        #expect(waitFor(seconds: 10) { udpPortIsBound(port, family: family) })

        var sender = try UDPSocket(family: family)
        try sender.connect(to: loopbackAddress(family, port: port))
        try sender.setSegmentSize(payload)
        let batch = SendBatch(capacity: 101, payloadSize: payload, segmentsPerMessage: 64)
        batch.setSegments(1, at: 100)
        // Paced a little, so the counter's 8 MiB buffer never overflows on a busy machine.
        var outcomes: [SendOutcome] = []
        for start in stride(from: 0, to: 101, by: 10) {
            outcomes.append(batch.sendAll(from: start, to: min(start + 10, 101), on: &sender))
            usleep(2_000)
        }
        #expect(outcomes.map(\.datagrams).reduce(0, +) == total)
        #expect(outcomes.allSatisfy { $0.error == nil && $0.segmentationRefused == nil })

        let (status, output) = counter.finish(within: 10)
        #expect(status == 0, "\(output)")
        let summary = output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(summary.hasPrefix("counted 6401 datagrams"), "\(summary)")
        let values = numbers(in: summary)  // datagrams, bytes, messages, calls
        try #require(values.count == 4, "\(summary)")
        #expect(values[0] == total)
        #expect(values[1] == total * payload)
        // GRO really coalesced: far fewer messages than datagrams.
        #expect(values[2] < total / 8, "\(summary)")
    }

    @Test(.enabled(if: VethLab.unavailableReason() == nil, "needs root, ip (iproute2) and python3 for a network namespace"))
    func theXDPCounterCountsWhatTheProgramRedirects() throws {
        let lab = try VethLab(queues: 1)
        defer { lab.remove() }
        // VethLab's sender sends 32-byte datagrams to port 9 of the host end, from inside its namespace.
        let counter = try ExampleProgram("XDPCounter", ["--interface", lab.hostEnd, "--listen", "\(lab.hostAddress):9",
                                                        "--count", "3000", "--idle-ms", "5000"])
        #expect(waitFor(seconds: 10) { counter.outputSoFar.hasPrefix("ready") }, "\(counter.outputSoFar)")
        #expect(counter.outputSoFar.hasPrefix("ready: counting UDP for \(lab.hostAddress):9 on \(lab.hostEnd) queue 0 (copy mode)\n"))
        try lab.send(3000)
        let (status, output) = counter.finish(within: 10)
        #expect(status == 0, "\(output)")
        let summary = output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(summary.hasPrefix("counted 3000 datagrams (96000 bytes) in "), "\(output)")
        #expect(summary.hasSuffix("; 0 frames skipped, 0 lost in the rings"), "\(output)")
    }

    @Test(.enabled(if: VethLab.unavailableReason() == nil, "needs root, ip (iproute2) and python3 for a network namespace"))
    func theXDPSenderSendsWhatTheXDPCounterCounts() throws {
        let lab = try VethLab(queues: 1)
        defer { lab.remove() }
        // 3000 frames fit the counter's 4096-frame ring even if it read none until the sender ended.
        let counter = try ExampleProgram("XDPCounter", ["--interface", lab.hostEnd, "--listen", "\(lab.hostAddress):9",
                                                        "--count", "3000", "--idle-ms", "5000"])
        #expect(waitFor(seconds: 10) { counter.outputSoFar.hasPrefix("ready") }, "\(counter.outputSoFar)")
        let sender = ExampleProgram.productsDirectory.appendingPathComponent("XDPSender").path
        let output = try lab.runInside([sender, "--interface", lab.peerEnd, "--from", "\(lab.peerAddress):5000",
                                        "--to", "\(lab.hostAddress):9", "--count", "3000", "--payload", "40"])
        #expect(output.hasPrefix("ready: sending to \(lab.hostAddress):9 on \(lab.peerEnd) queue 0 (copy mode)\n"), "\(output)")
        #expect(output.split(separator: "\n").last.map(String.init)?.hasPrefix("sent 3000 datagrams (120000 bytes) in ") == true, "\(output)")
        let (status, counted) = counter.finish(within: 10)
        #expect(status == 0, "\(counted)")
        let summary = counted.split(separator: "\n").last.map(String.init) ?? ""
        #expect(summary.hasPrefix("counted 3000 datagrams (120000 bytes) in "), "\(counted)")
        #expect(summary.hasSuffix("; 0 frames skipped, 0 lost in the rings"), "\(counted)")
    }
}
