import Testing
@testable import Engine
import PacketIO
import Reporting

/// Drops that happen the moment a run is announced belong to the run. The first
/// readings are taken before the announcement, so a sender that starts on the ready
/// line (or a test that stops the process on it, as PingServerCLITests does) cannot
/// hide its first drops in the baseline. Here the announcement itself floods a socket
/// whose buffer holds a few datagrams: every datagram of the flood is received or
/// counted as dropped at the socket.
@Suite struct AnnouncedBaselineTests {
    static let flood = 2000

    /// Sends ``flood`` datagrams of 32 bytes to `target`, 64 per `sendmmsg`.
    static func flood(_ target: SocketAddress) {
        do {
            var sender = try UDPSocket(family: target.family)
            try sender.connect(to: target)
            let batch = SendBatch(capacity: 64, payloadSize: 32)
            var sent = 0
            while sent < flood { sent += batch.sendAll(to: min(64, flood - sent), on: &sender).datagrams }
        } catch {
            Issue.record("the flood failed: \(error)")
        }
    }

    final class LastSummary: ReportSink, @unchecked Sendable {
        var summary: RunSummary?
        func interval(_ report: IntervalReport) {}
        func summary(_ summary: RunSummary) { self.summary = summary }
    }

    @Test func anEchoCountsTheDropsOfItsAnnouncement() throws {
        var options = EchoOptions()
        options.receive.address = SocketAddress(ipv4: 127, 0, 0, 1, port: 0)
        options.receive.receiveBuffer = 4096
        let summary = try EchoSession.run(options, interval: 10, duration: 0.5, output: .init(json: true, quiet: true)) {
            Self.flood($0.boundAddress)
        }
        let drops = try #require(summary.socketDrops)
        #expect(drops > 0, "a 4 KiB buffer holds a few datagrams of 2000 sent at once")
        #expect(summary.totals[.requests] + drops == UInt64(Self.flood))
    }

    @Test func aReceiverCountsTheDropsOfItsAnnouncement() throws {
        var options = ReceiveOptions()
        options.address = SocketAddress(ipv4: 127, 0, 0, 1, port: 0)
        options.receiveBuffer = 4096
        let sink = LastSummary()
        try Session.receive(options, monitor: Monitor(interval: 10, duration: 0.5), sink: sink) {
            Self.flood($0.boundAddress)
        }
        let summary = try #require(sink.summary)
        let drops = try #require(summary.host?.socketDrops)
        #expect(drops > 0, "a 4 KiB buffer holds a few datagrams of 2000 sent at once")
        #expect(summary.total.packets + drops == UInt64(Self.flood))
    }
}
