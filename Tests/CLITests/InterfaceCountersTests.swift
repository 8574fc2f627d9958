#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import NetLab

/// `mpps recv --interface` on the host end of a veth pair, fed by `mpps send`
/// from inside a namespace the test creates (198.19.0.0/16, benchmarking range).
@Suite(.serialized) struct InterfaceCountersTests {
    @Test(.enabled(if: VethLab.unavailableReason() == nil, "needs root, ip (iproute2) and python3 for a network namespace")) func theInterfacesCountersJoinTheIntervals() throws {
        let lab = try VethLab()
        defer { lab.remove() }
        let port = freePort()
        let receiver = try Program("mpps", ["recv", "\(lab.hostAddress):\(port)", "--interface", lab.hostEnd,
                                            "--json", "--duration", "20", "--interval", "0.5"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        try lab.runInside([Program.path("mpps"), "send", "\(lab.hostAddress):\(port)", "--count", "2000",
                           "--rate", "20k", "--threads", "4", "--quiet"])
        // The sender returned after its last end-of-flow datagram; give the receiver a moment, then stop it.
        usleep(300_000)
        receiver.send(SIGINT)
        #expect(receiver.finish(within: 15) == 0, "\(receiver.stderr)")
        let objects = receiver.stdoutLines.compactMap(jsonObject)
        let summary = try #require(objects.last)
        #expect(summary["packets"] as? Int == 2000)
        let nic = try #require(summary["nic"] as? [String: Any], "\(summary)")
        #expect(nic["interface"] as? String == lab.hostEnd)
        // 2000 datagrams and the four flows' end-of-flow markers (3 each) crossed the pair.
        #expect(nic["rx_packets"] as? Int == 2012, "\(nic)")
        let queues = try #require(nic["rx_queues"] as? [[String: Any]])
        #expect(queues.map { $0["queue"] as? Int } == [0, 1, 2, 3])
        #expect(queues.reduce(0) { $0 + ($1["packets"] as? Int ?? 0) } == 2012, "\(queues)")
        let intervals = objects.filter { $0["type"] as? String == "interval" }
        #expect(intervals.allSatisfy { ($0["nic"] as? [String: Any])?["interface"] as? String == lab.hostEnd })
        #expect(intervals.reduce(0) { $0 + ((($1["nic"] as? [String: Any])?["rx_packets"] as? Int) ?? 0) } <= 2012)
        #expect(intervals.allSatisfy { ($0["softnet"] as? [[String: Any]])?.isEmpty == false }, "softnet per CPU")
    }

    @Test func anUnknownInterfaceIsAUsageError() throws {
        let result = try Program.run("mpps", ["recv", "--interface", "no-such-if0"])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("mpps recv: no interface named 'no-such-if0' (interfaces: lo"), "\(result.stderr)")
        #expect(result.stderr.hasSuffix(") (see 'mpps recv --help')\n"))
    }
}
