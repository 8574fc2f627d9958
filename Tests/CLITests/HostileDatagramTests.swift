#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PacketIO
import Testing

/// `mpps recv` reads whatever reaches its port: a stranger's datagram may count
/// as a datagram, but it can neither crash the receiver nor move a real flow's
/// account.
@Suite struct HostileDatagramTests {
    /// Sends one 32-byte datagram with `header` to 127.0.0.1:`port`.
    func sendForged(_ header: SequenceHeader, to port: UInt16) throws {
        let socket = try UDPSocket(family: .inet)
        var payload = [UInt8](repeating: 0, count: 32)
        payload.withUnsafeMutableBytes { _ = header.write(to: $0) }
        try payload.withUnsafeBytes { _ = try socket.send($0, to: SocketAddress(ipv4: 127, 0, 0, 1, port: port)) }
    }

    @Test func theLargestSequenceNumberNoLongerKillsTheReceiver() throws {
        // The datagram that trapped mpps recv on 2026-12-02: magic, kind 1 (data), sequence 2^64 - 1.
        let port = freePort()
        let receiver = try Program("mpps", ["recv", "127.0.0.1:\(port)"])
        #expect(receiver.waitFor(seconds: 10) { $0.stderr.contains("listening on") })
        try sendForged(SequenceHeader(kind: .data, hostTag: 0, flow: 1, sequence: .max, sendTime: nil), to: port)
        usleep(200_000)
        receiver.send(SIGINT)
        #expect(receiver.finish(within: 5) == 0)
        let out = receiver.stdout
        #expect(out.contains("summary: 1 datagrams received, 32 bytes in "), "\(out)")
        #expect(out.contains("         implausible: 1 datagram whose header claimed the impossible or named a flow no --flow-key made: counted as datagrams, and in no flow\n"), "\(out)")
    }

    @Test func forgeriesDoNotMoveARealRunsAccount() throws {
        let key = FlowKey(0x1234_5678_9abc_def0)
        let port = freePort()
        let receiver = try Program("mpps", ["recv", "127.0.0.1:\(port)", "--json", "--flow-key", key.description,
                                            "--count", "5000", "--duration", "20"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        // Before the real flow: an end for a flow that never sent, data of a made-up flow,
        // and an end claiming a million for the id the sender's flow 0 will have.
        try sendForged(SequenceHeader(kind: .endOfFlow, hostTag: 0, flow: 99, sequence: 1_000_000, sendTime: nil), to: port)
        try sendForged(SequenceHeader(kind: .data, hostTag: 0, flow: 98, sequence: 500_000, sendTime: nil), to: port)
        let sender = try Program.run("mpps", ["send", "127.0.0.1:\(port)", "--count", "4998", "--rate", "50k", "--quiet",
                                              "--flow-key", key.description])
        #expect(sender.status == 0)
        try sendForged(SequenceHeader(kind: .endOfFlow, hostTag: 0, flow: key.flowID(index: 0), sequence: 1_000_000, sendTime: nil),
                       to: port)
        usleep(300_000)
        receiver.send(SIGINT)
        #expect(receiver.finish(within: 10) == 0)
        let summary = try #require(receiver.stdoutLines.last.flatMap(jsonObject))
        #expect(summary["packets"] as? Int == 4999, "4998 real datagrams and the forged data one: \(summary)")
        #expect(summary["lost"] as? Int == 0, "\(summary)")
        #expect(summary["flows"] as? Int == 1, "\(summary)")
        #expect(summary["flows_without_end"] as? Int == 0, "\(summary)")
        // Unkeyed: the made-up flow's data and end; keyed but contradicting the sender's end: the late million.
        #expect(summary["implausible"] as? Int == 3, "\(summary)")
    }
}
