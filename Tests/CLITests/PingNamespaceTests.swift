#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import NetLab

/// `mpps echo` in one network namespace, `mpps ping` in another, joined by a veth pair
/// (198.19.0.0/16 and 2001:2::/48, the benchmarking ranges): exact accounts over IPv4
/// and IPv6, directly and through `mpps serve`.
@Suite(.serialized, .enabled(if: VethLab.unavailableReason() == nil, "needs root, ip (iproute2) and python3 for network namespaces"))
struct PingNamespaceTests {
    /// The lab's echo-side address in `family`, written for a target (`[...]` around IPv6).
    static func echoHost(_ lab: VethLab, ipv6: Bool) throws -> String {
        ipv6 ? "[\(try #require(lab.hostAddress6))]" : lab.hostAddress
    }

    /// The command prefix that runs a program in the ping's namespace.
    static func pingSide(_ lab: VethLab) throws -> [String] {
        [try #require(VethLab.which("ip")), "netns", "exec", lab.namespace]
    }

    @Test(arguments: [false, true])
    func anEchoAcrossAVethAnswersEveryRequest(ipv6: Bool) throws {
        let lab = try VethLab(ipv6: ipv6, hostNamespace: true)
        defer { lab.remove() }
        let host = try Self.echoHost(lab, ipv6: ipv6)
        let echo = try Program("mpps", ["echo", "\(host):0", "--json"], prefix: lab.hostPrefix)
        #expect(echo.waitForReady(seconds: 20), "\(echo.stderr)")
        let address = try #require(echo.readyLine?["address"] as? String)
        let ping = try Program.run("mpps", ["ping", address, "--count", "2000", "--inflight", "8", "--payload", "200",
                                            "--timeout", "10", "--json"],
                                   prefix: try Self.pingSide(lab), within: 60)
        #expect(ping.status == 0, "\(ping.stderr)")
        let summary = try #require(PingCLITests.lastLine(ping.stdout))
        #expect(summary["sent"] as? Int == 2000, "\(summary)")
        #expect(summary["replies"] as? Int == 2000)
        #expect(PingCLITests.lost(summary) == ["total": 0, "send_errors": 0, "late": 0, "never_answered": 0])
        #expect(summary["duplicates"] as? Int == 0)
        echo.send(SIGINT)
        #expect(echo.finish(within: 20) == 0)
        let echoed = try PingCLITests.summary(echo)
        #expect(echoed["requests"] as? Int == 2000, "\(echoed)")
        #expect(echoed["replies"] as? Int == 2000)
        #expect(echoed["request_bytes"] as? Int == 2000 * 200)
        #expect(echoed["reply_bytes"] as? Int == 2000 * 200)
    }

    @Test(arguments: [false, true])
    func pingWithServerAcrossAVeth(ipv6: Bool) throws {
        let lab = try VethLab(ipv6: ipv6, hostNamespace: true)
        defer { lab.remove() }
        let serve = try ServeProcess(host: lab.hostAddress, prefix: lab.hostPrefix)
        defer { _ = serve.stop() }
        let target = "\(try Self.echoHost(lab, ipv6: ipv6)):\(freePort())"
        let ping = try Program.run("mpps", ["ping", "--server", serve.address, target, "--count", "2000", "--rate", "5k",
                                            "--timeout", "10", "--json", "--quiet"], prefix: try Self.pingSide(lab), within: 60)
        #expect(ping.status == 0, "\(ping.stderr)")
        let lines = ping.stdout.split(separator: "\n").compactMap { jsonObject(String($0)) }
        let echoed = try #require(lines.last { $0["type"] as? String == "echo" }?["summary"] as? [String: Any])
        #expect(echoed["requests"] as? Int == 2000, "\(echoed)")
        #expect(echoed["replies"] as? Int == 2000)
        let summary = try #require(lines.last)
        #expect(summary["sent"] as? Int == 2000, "\(summary)")
        #expect(summary["replies"] as? Int == 2000)
        #expect(PingCLITests.lost(summary) == ["total": 0, "send_errors": 0, "late": 0, "at_echo": 0, "never_answered": 0])
    }
}
