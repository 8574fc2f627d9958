#if canImport(Glibc)
import Glibc
#endif
import Testing
import PacketIO
@testable import Engine
import Reporting

/// `mpps send --flows`: several connected sockets per target, each its own
/// source port, flow id and end-of-flow markers, shared by the threads.
@Suite(.serialized) struct FlowsTests {
    @Test func flowsGoRoundRobinToEachTargetsThreads() {
        var options = SendOptions()
        options.targets = [SocketAddress(ipv4: 127, 0, 0, 1, port: 9), SocketAddress(ipv4: 127, 0, 0, 2, port: 9)]
        options.threadsPerTarget = 2
        options.flowsPerTarget = 5
        #expect(options.threadCount == 4)
        #expect(options.flowCount == 10)
        #expect((0..<10).map(options.thread(ofFlow:)) == [0, 1, 0, 1, 0, 2, 3, 2, 3, 2])
        options.flowsPerTarget = nil
        #expect(options.flowCount == 4, "one flow per thread by default")
        #expect((0..<4).map(options.thread(ofFlow:)) == [0, 1, 2, 3])
    }

    @Test func flowProblems() {
        var options = SendOptions()
        options.threadsPerTarget = 4
        options.flowsPerTarget = 2
        #expect(options.flowProblem == "--flows 2 is fewer than --threads 4: every sending thread needs a flow of its own")
        options.flowsPerTarget = 16
        options.sourcePort = 65530
        #expect(options.flowProblem == "--src-port 65530 with --flows 16 needs ports up to 65545, beyond 65535: use --src-port 65520 or lower, or fewer flows")
        options.sourcePort = 65520
        #expect(options.flowProblem == nil)
        #expect(throws: RunError("--flows 2 is fewer than --threads 4: every sending thread needs a flow of its own", status: RunError.usage)) {
            var bad = SendOptions()
            bad.threadsPerTarget = 4
            bad.flowsPerTarget = 2
            _ = try SendRun(bad)
        }
    }

    /// Two SO_REUSEPORT sockets on 127.0.0.1 that remember where each datagram came from.
    final class Group {
        let members: [Holder]
        let address: SocketAddress
        final class Holder { let socket: UDPSocket; init(_ socket: consuming UDPSocket) { self.socket = socket } }

        init() throws {
            var members: [Holder] = []
            var address = SocketAddress(ipv4: 127, 0, 0, 1, port: 0)
            for _ in 0..<2 {
                let socket = try UDPSocket(family: .inet)
                try socket.setReusePort(true)
                try socket.setReceiveBufferSize(32 << 20)
                try socket.setReceiveTimeout(milliseconds: 20)
                try socket.bind(to: address)
                address = try socket.localAddress()
                members.append(Holder(socket))
            }
            self.members = members
            self.address = address
        }

        /// What each member holds: (source port, header) per datagram.
        func drain() throws -> [[(port: UInt16, header: SequenceHeader?)]] {
            var batch = ReceiveBatch(capacity: 512, slotSize: 64)
            var result: [[(port: UInt16, header: SequenceHeader?)]] = []
            for member in members {
                var got: [(port: UInt16, header: SequenceHeader?)] = []
                for _ in 0..<1000 {
                    let n = try batch.receive(from: member.socket)
                    if n == 0 { break }
                    for i in 0..<n {
                        got.append((batch.sourceAddress(at: i)?.port ?? 0, batch.withUnsafeBytes(at: i) { SequenceHeader(reading: $0) }))
                    }
                }
                result.append(got)
            }
            return result
        }
    }

    /// A SendRun with `--src-port` from a base below the ephemeral range, retried if a port is taken.
    func sender(_ options: SendOptions) throws -> SendRun {
        var options = options
        var lastError: RunError?
        for attempt in 0..<5 {
            options.sourcePort = UInt16(20_000 + (Int(getpid()) * 64 + attempt * 997) % 10_000)
            do { return try SendRun(options) } catch { lastError = error }
        }
        throw lastError!
    }

    @Test func flowsSpreadOverAReuseportGroupAndCountExactly() throws {
        let group = try Group()
        var options = SendOptions()
        options.targets = [group.address]
        options.threadsPerTarget = 2
        options.flowsPerTarget = 16
        options.count = 8_001
        options.rate = 80_000
        let run = try sender(options)
        let base = Int(try #require(run.options.sourcePort))
        try run.start()
        #expect(waitUntil(seconds: 10) { run.isFinished })
        run.stop()
        #expect((0..<2).map { run.counters.read($0).packets } == [4001, 4000])
        #expect(run.sourceAddresses().map { $0.map { Int($0.port) } } == (base..<base + 16).map { $0 })

        let received = try group.drain()
        // Distinct source ports, one per flow, each flow on one member (the 4-tuple hash), both members used.
        let ports = received.map { Set($0.map { Int($0.port) }) }
        #expect(ports[0].union(ports[1]) == Set(base..<base + 16))
        #expect(ports[0].isDisjoint(with: ports[1]))
        #expect(!ports[0].isEmpty && !ports[1].isEmpty, "the hash left a member idle: \(ports)")

        // Each flow: its own id, sequence numbers 0..<n without a gap, and three end markers that say n.
        let headers = received.flatMap { $0 }.compactMap(\.header)
        #expect(headers.count == received.flatMap { $0 }.count, "every datagram carries a header")
        let ids = (0..<16).map { run.options.flowKey.flowID(index: UInt16($0)) }
        #expect(Set(headers.map(\.flow)) == Set(ids))
        var total: UInt64 = 0
        for id in ids {
            let data = headers.filter { $0.flow == id && $0.kind == .data }.map(\.sequence).sorted()
            let ends = headers.filter { $0.flow == id && $0.kind == .endOfFlow }.map(\.sequence)
            #expect(ends == [UInt64(data.count), UInt64(data.count), UInt64(data.count)], "flow \(id)")
            #expect(data == (0..<UInt64(data.count)).map { $0 }, "flow \(id)")
            total += UInt64(data.count)
        }
        #expect(total == 8_001)
    }

    @Test func aReceiveRunCountsEveryFlowWithoutLoss() throws {
        var receive = ReceiveOptions()
        receive.address = SocketAddress(ipv4: 127, 0, 0, 1, port: 0)
        receive.threads = 2
        receive.reusePort = true
        receive.receiveBuffer = 8 << 20
        let receiver = try ReceiveRun(receive)
        try receiver.start()
        var send = SendOptions()
        send.targets = [receiver.boundAddress]
        send.flowsPerTarget = 32  // one thread, 32 source ports: the hash leaves no socket idle
        send.count = 16_001
        send.rate = 160_000
        let sender = try SendRun(send)
        try sender.start()
        #expect(waitUntil(seconds: 10) { sender.isFinished })
        // The data, then the end markers (3 per flow), which are not counted as data.
        #expect(waitUntil(seconds: 5) { receiver.counters.total().packets == 16_001 })
        MonotonicClock.sleep(until: MonotonicClock.now() + 200_000_000)  // markers go 1 ms apart
        sender.stop()
        receiver.stop()
        #expect(sender.counters.read(0).packets == 16_001)
        let threads = (0..<2).map { receiver.counters.read($0).packets }
        #expect(threads.allSatisfy { $0 > 0 }, "per thread \(threads)")
        let report = receiver.sequenceReport()
        #expect(report.flows.count == 32)
        #expect(report.lost == 0)
        #expect(report.duplicates == 0)
        #expect(report.flowsWithoutEnd == 0)
        #expect(report.flows.reduce(0) { $0 + $1.unique } == 16_001)
        #expect(report.flows.reduce(0) { $0 + ($1.sent ?? 0) } == 16_001, "each flow's end markers carry its own count")
        #expect(report.endMarkers == 96)
        #expect(receiver.socketDrops() == 0)
    }
}
