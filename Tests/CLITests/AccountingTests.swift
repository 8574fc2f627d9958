#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import PacketIO

/// Every datagram is accounted for: sent = received + lost, and lost is
/// explained by the kernel's counters.
@Suite(.serialized) struct AccountingTests {
    /// Overloads a receiver with a small buffer: sender and receiver share one
    /// CPU and each GSO call queues 1024 datagrams at once.
    func overload(extra: [String]) throws -> (receiver: Program, sent: Int) {
        let port = freePort()
        let receiver = try Program("mpps", ["recv", "127.0.0.1:\(port)", "--rcvbuf", "64K", "--cpus", "0"] + extra)
        #expect(receiver.waitFor(seconds: 10) { $0.stderr.contains("listening on") })
        let sender = try Program.run("mpps", ["send", "127.0.0.1:\(port)", "--count", "200000", "--gso", "64",
                                              "--cpus", "0", "--quiet"])
        #expect(sender.status == 0, "\(sender.stderr)")
        usleep(300_000)  // let the receiver read what is queued and the end-of-flow markers
        receiver.send(SIGINT)
        #expect(receiver.finish(within: 5) == 0)
        return (receiver, 200_000)
    }

    @Test func anOverloadedReceiverAccountsForEveryDatagram() throws {
        let (receiver, sent) = try overload(extra: ["--json"])
        let objects = receiver.stdoutLines.compactMap(jsonObject)
        let summary = try #require(objects.last)
        let received = try #require(summary["packets"] as? Int)
        let lost = try #require(summary["lost"] as? Int)
        #expect(received < sent, "the overload dropped nothing: \(summary)")
        #expect(received + lost == sent, "sent \(sent) = received \(received) + lost \(lost)")
        // The sockets' own drop count explains the loss exactly: lost data datagrams, and
        // any of the flow's three end-of-flow datagrams that were dropped too.
        let endMarkers = try #require(summary["end_markers"] as? Int)
        #expect(endMarkers >= 1 && endMarkers <= 3)
        let socketDrops = try #require(summary["socket_drops"] as? Int)
        #expect(socketDrops == lost + (3 - endMarkers), "\(summary)")
        let kernel = try #require(summary["kernel"] as? [String: Any])
        #expect((kernel["rcvbuf_errors"] as? Int ?? 0) >= lost, "host-wide RcvbufErrors include ours: \(kernel)")
        #expect(summary["flows"] as? Int == 1)
        #expect(summary["flows_without_end"] as? Int == 0)
        #expect(summary["duplicates"] as? Int == 0)
        // The intervals carry the same counters.
        let intervals = objects.filter { $0["type"] as? String == "interval" }
        #expect(intervals.reduce(0) { $0 + ($1["socket_drops"] as? Int ?? 0) } == socketDrops)
        #expect(intervals.allSatisfy { $0["kernel"] is [String: Any] })
    }

    @Test func aHumanRunSaysWhereTheDropsHappened() throws {
        let (receiver, _) = try overload(extra: ["--interval", "0.2"])
        let out = receiver.stdout
        #expect(out.contains("  drops: "), "\(out)")
        #expect(out.contains(" socket buffer full (RcvbufErrors): the application is not reading fast enough ("), "\(out)")
        #expect(out.contains("         sequence: "), "\(out)")
        #expect(out.contains("         dropped at this run's sockets: "), "\(out)")
    }

    /// Datagrams queued when the interrupt comes are counted, not left for the account to
    /// call lost: the receiver is stopped (SIGSTOP) while 3000 arrive, then interrupted and
    /// let go on, and its threads read the queue before they end.
    @Test func datagramsQueuedAtTheInterruptAreCounted() throws {
        let port = freePort()
        let receiver = try Program("mpps", ["recv", "127.0.0.1:\(port)", "--json", "--rcvbuf", "8M"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        let pid = receiver.process.processIdentifier
        kill(pid, SIGSTOP)
        var sender = try UDPSocket(family: .inet)
        try sender.connect(to: SocketAddress(ipv4: 127, 0, 0, 1, port: port))
        let batch = SendBatch(capacity: 64, payloadSize: 32)
        var sent = 0
        while sent < 3000 { sent += batch.sendAll(to: min(64, 3000 - sent), on: &sender).datagrams }
        receiver.send(SIGINT)
        kill(pid, SIGCONT)
        #expect(receiver.finish(within: 10) == 0, "\(receiver.stderr)")
        let summary = try #require(receiver.stdoutLines.last.flatMap(jsonObject))
        #expect(summary["packets"] as? Int == 3000, "\(summary)")
        #expect(summary["socket_drops"] as? Int == 0, "\(summary)")
    }

    @Test func injectedReorderingAndDuplicatesAreReportedExactly() throws {
        let port = freePort()
        let receiver = try Program("mpps", ["recv", "127.0.0.1:\(port)", "--json"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        // Flow 77: 0 1 2 4 3 5 5 6 8, then "I sent 10": 7 and 9 are lost.
        let socket = try UDPSocket(family: .inet)
        try socket.connect(to: SocketAddress(ipv4: 127, 0, 0, 1, port: port))
        var payload = [UInt8](repeating: 0, count: 32)
        func send(_ kind: SequenceHeader.Kind, _ sequence: UInt64) throws {
            payload.withUnsafeMutableBytes {
                _ = SequenceHeader(kind: kind, hostTag: 0, flow: 77, sequence: sequence, sendTime: nil).write(to: $0)
            }
            try payload.withUnsafeBytes { _ = try socket.send($0) }
            usleep(2_000)
        }
        for sequence: UInt64 in [0, 1, 2, 4, 3, 5, 5, 6, 8] { try send(.data, sequence) }
        try send(.endOfFlow, 10)
        usleep(200_000)
        receiver.send(SIGINT)
        #expect(receiver.finish(within: 5) == 0)
        let summary = try #require(receiver.stdoutLines.last.flatMap(jsonObject))
        #expect(summary["packets"] as? Int == 9, "the end-of-flow datagram is not data: \(summary)")
        #expect(summary["bytes"] as? Int == 9 * 32)
        #expect(summary["lost"] as? Int == 2)
        #expect(summary["reordered"] as? Int == 1)
        #expect(summary["duplicates"] as? Int == 1)
        #expect(summary["flows"] as? Int == 1)
        #expect(summary["latency_us"] == nil, "no send times, no latency")
    }

    @Test func sameHostLatencyIsMeasured() throws {
        let port = freePort()
        let receiver = try Program("mpps", ["recv", "127.0.0.1:\(port)", "--json", "--count", "10000", "--duration", "20"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        let sender = try Program.run("mpps", ["send", "127.0.0.1:\(port)", "--count", "10000", "--rate", "50k", "--quiet"])
        #expect(sender.status == 0)
        #expect(receiver.finish(within: 10) == 0)
        let summary = try #require(receiver.stdoutLines.last.flatMap(jsonObject))
        let latency = try #require(summary["latency_us"] as? [String: Double], "\(summary)")
        let p50 = try #require(latency["p50"]), p99 = try #require(latency["p99"])
        let p999 = try #require(latency["p999"]), max = try #require(latency["max"])
        #expect(p50 > 0 && p50 <= p99 && p99 <= p999 && p999 <= max, "\(latency)")
        #expect(p50 < 1_000_000, "a loopback datagram takes well under a second: \(latency)")
        #expect(summary["lost"] as? Int == 0)
    }
}
