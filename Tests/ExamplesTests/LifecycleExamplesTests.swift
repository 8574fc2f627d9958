#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import PacketIO

/// The threaded receiver stops cleanly on SIGINT with every datagram counted;
/// the async/await echo server answers every request byte for byte.
@Suite struct LifecycleExamplesTests {
    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func theThreadedReceiverCountsEveryDatagramAndStopsOnSIGINT(family: SocketAddress.Family) throws {
        let port = try freeLoopbackPort(family)
        let receiver = try ExampleProgram("ThreadedReceiver", ["--listen", "\(loopbackAddress(family, port: port))",
                                                               "--threads", "2"])
        #expect(waitFor(seconds: 10) { receiver.outputSoFar.contains("listening on") })
        // 8 flows (source ports) of 250 datagrams of 40 bytes: the kernel spreads the flows.
        let flows = 8, perFlow = 250
        let batch = SendBatch(capacity: perFlow, payloadSize: 40)
        for _ in 0..<flows {
            let sender = try UDPSocket(family: family)
            try sender.connect(to: loopbackAddress(family, port: port))
            var sent = 0
            while sent < perFlow { sent += try batch.send(on: sender, from: sent, to: perFlow) }
        }
        // Loopback delivers within the send: every datagram is queued at a socket now.
        kill(receiver.process.processIdentifier, SIGINT)
        let (status, output) = receiver.finish(within: 10)
        #expect(status == 0, "\(output)")
        let lines = output.split(separator: "\n").map(String.init)
        let perThread = lines.filter { $0.hasPrefix("thread ") }.map { numbers(in: $0) }
        #expect(perThread.count == 2)
        #expect(perThread.map { $0[1] }.reduce(0, +) == flows * perFlow)
        #expect(lines.contains("total: 2000 datagrams, 80000 bytes; dropped by the kernel: 0 packets"), "\(output)")
        let stop = lines.first { $0.hasPrefix("stopped by signal \(SIGINT) in ") }
        // The group's sockets have no receive timeout, so only the wake can end the
        // threads; the bound leaves a sanitizer on a busy machine its seconds (CI once
        // took 267 ms to drain these 2000 datagrams under TSan).
        let microseconds = stop.map { numbers(in: $0)[1] } ?? .max
        #expect(microseconds < 5_000_000, "\(stop ?? output)")
    }

    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func theAsyncEchoServerAnswersEveryRequestByteForByte(family: SocketAddress.Family) throws {
        let port = try freeLoopbackPort(family)
        let total = 300
        let server = try ExampleProgram("AsyncEchoServer", ["--listen", "\(loopbackAddress(family, port: port))",
                                                            "--count", "\(total)"])
        #expect(waitFor(seconds: 10) { server.outputSoFar.contains("listening on") })
        let client = try UDPSocket(family: family)
        try client.setReceiveBufferSize(1 << 20)
        try client.setReceiveTimeout(milliseconds: 5000)
        try client.connect(to: loopbackAddress(family, port: port))
        let requests = (0..<total).map { index in (0..<(10 + index % 50)).map { UInt8(truncatingIfNeeded: index * 7 + $0) } }
        for request in requests { try request.withUnsafeBytes { _ = try client.send($0) } }
        var echoes: [[UInt8]] = []
        var inbound = ReceiveBatch(capacity: 64)
        while echoes.count < total, try inbound.receive(from: client) > 0 {
            inbound.forEachDatagram { echoes.append(Array($0.bytes)) }
        }
        #expect(echoes == requests)
        let (status, output) = server.finish(within: 10)
        #expect(status == 0, "\(output)")
        let summary = output.split(separator: "\n").last.map(String.init) ?? ""
        let bytes = requests.map(\.count).reduce(0, +)
        #expect(summary.hasPrefix("echoed 300 datagrams (\(bytes) bytes) from "), "\(summary)")
        #expect(summary.hasSuffix("dropped by the kernel: 0 packets"), "\(summary)")
    }

    @Test func theAsyncServerStopsOnSIGINTAfterCountingWhatCame() throws {
        let port = try freeLoopbackPort(.inet6)
        let server = try ExampleProgram("AsyncEchoServer", ["--listen", "\(loopbackAddress(.inet6, port: port))", "--no-reply"])
        #expect(waitFor(seconds: 10) { server.outputSoFar.contains("listening on") })
        let sender = try UDPSocket(family: .inet6)
        try sender.connect(to: loopbackAddress(.inet6, port: port))
        let batch = SendBatch(capacity: 100, payloadSize: 24)
        var sent = 0
        while sent < 100 { sent += try batch.send(on: sender, from: sent, to: 100) }
        kill(server.process.processIdentifier, SIGINT)
        let (status, output) = server.finish(within: 10)
        #expect(status == 0, "\(output)")
        let summary = output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(summary.hasPrefix("counted 100 datagrams (2400 bytes) from "), "\(summary)")
    }
}
