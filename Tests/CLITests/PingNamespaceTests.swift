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
        #expect(PingCLITests.lost(summary) == ["total": 0, "send_errors": 0, "late": 0, "before_echo": 0, "at_echo": 0, "never_answered": 0])
    }

    /// Every tenth request is dropped on its way into the echo's namespace, before its socket (nft's
    /// `numgen` on the input hook, from the first; on the ping's output hook the drop would be a send
    /// error): the echo counts the gaps in the flow (sequences 10, 20, ... 1990: 199), and
    /// `--server` puts them in `lost.before_echo`. Sequence 0 lies below the lowest the echo saw,
    /// so no count explains it: it stays never answered.
    @Test(.enabled(if: VethLab.which("nft") != nil, "needs nft (nftables)"), arguments: [false, true])
    func requestsLostBeforeTheEchoAreItsGaps(ipv6: Bool) throws {
        let lab = try VethLab(ipv6: ipv6, hostNamespace: true)
        defer { lab.remove() }
        let serve = try ServeProcess(host: lab.hostAddress, prefix: lab.hostPrefix)
        defer { _ = serve.stop() }
        let port = freePort()
        let nftPath = try #require(VethLab.which("nft"))
        func nft(_ arguments: String...) throws -> Int32 {
            try VethLab.execute("ip", ["netns", "exec", try #require(lab.hostNamespace), nftPath] + arguments).status
        }
        #expect(try nft("add", "table", "inet", "lossy") == 0)
        #expect(try nft("add", "chain", "inet", "lossy", "in", "{ type filter hook input priority 0; }") == 0)
        #expect(try nft("add", "rule", "inet", "lossy", "in", "udp", "dport", "\(port)", "numgen", "inc", "mod", "10", "==", "0",
                        "drop") == 0)
        let ping = try Program.run("mpps", ["ping", "--server", serve.address, "\(try Self.echoHost(lab, ipv6: ipv6)):\(port)",
                                            "--count", "2000", "--rate", "2k", "--timeout", "5", "--json", "--quiet"],
                                   prefix: try Self.pingSide(lab), within: 60)
        #expect(ping.status == 0, "\(ping.stderr)")
        let lines = ping.stdout.split(separator: "\n").compactMap { jsonObject(String($0)) }
        let echoed = try #require(lines.last { $0["type"] as? String == "echo" }?["summary"] as? [String: Any])
        #expect(echoed["requests"] as? Int == 1800, "\(echoed)")
        #expect(echoed["socket_drops"] as? Int == 0)
        let flows = try #require(echoed["ping_flows"] as? [String: Any])
        #expect(flows["lost_in"] as? Int == 199, "\(flows)")
        let summary = try #require(lines.last)
        #expect(summary["sent"] as? Int == 2000, "\(summary)")
        #expect(summary["replies"] as? Int == 1800)
        #expect(PingCLITests.lost(summary) == ["total": 200, "send_errors": 0, "late": 0, "before_echo": 199, "at_echo": 0,
                                               "never_answered": 1])
    }
}
