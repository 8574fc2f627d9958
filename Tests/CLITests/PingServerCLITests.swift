#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `mpps ping --server`: the echo runs under `mpps serve`, the ping here, and the
/// echo's own counts split the lost requests; the account closes exactly.
@Suite struct PingServerCLITests {
    /// The JSON lines of a ping's standard output, by `type`.
    static func lines(_ program: Program, type: String) -> [[String: Any]] {
        program.stdoutLines.compactMap(jsonObject).filter { $0["type"] as? String == type }
    }

    @Test(arguments: [("127.0.0.1", AF_INET), ("[::1]", AF_INET6)])
    func everyRequestIsAnsweredByTheServersEcho(host: String, family: Int32) throws {
        let serve = try ServeProcess()
        let target = "\(host):\(freePort(family: family))"
        let ping = try Program("mpps", ["ping", "--server", serve.address, target, "--count", "500", "--inflight", "4",
                                        "--payload", "100", "--timeout", "10", "--json"])
        #expect(ping.finish(within: 60) == 0, "\(ping.stderr)")
        let echoes = Self.lines(ping, type: "echo")
        #expect(echoes.count == 2, "\(ping.stdout)")
        let ready = try #require(echoes.first?["ready"] as? [String: Any])
        #expect(ready["command"] as? String == "echo")
        #expect(ready["address"] as? String == (family == AF_INET ? "0.0.0.0" : "[::]") + ":" + target.split(separator: ":").last!)
        let echoed = try #require(echoes.last?["summary"] as? [String: Any])
        #expect(echoed["requests"] as? Int == 500, "\(echoed)")
        #expect(echoed["replies"] as? Int == 500)
        #expect(echoed["socket_drops"] as? Int == 0)
        let summary = try PingCLITests.summary(ping)
        #expect(summary["sent"] as? Int == 500, "\(summary)")
        #expect(summary["replies"] as? Int == 500)
        #expect(PingCLITests.lost(summary) == ["total": 0, "send_errors": 0, "late": 0, "before_echo": 0, "at_echo": 0, "never_answered": 0])
        #expect(ping.stdoutLines.last.flatMap(jsonObject)?["type"] as? String == "summary", "the ping's summary comes last")
        for line in ping.stdoutLines.compactMap(jsonObject) {
            JSONDocs.expectDocumented(line, section: line["type"] as? String == "echo" ? "ping --server" : "ping")
        }
        #expect(serve.stop() == 0)
    }

    /// The echo, with a receive buffer of a few datagrams, stops (SIGSTOP) while the ping sends
    /// 100 requests: those its socket had no room for are lost at the echo, by its own count; the
    /// queued ones are answered once it continues. Nothing is left unexplained.
    @Test func requestsDroppedAtTheEchosSocketAreLostThere() throws {
        let serve = try ServeProcess()
        let ping = try Program("mpps", ["ping", "--server", serve.address, "127.0.0.1:\(freePort())", "--count", "100",
                                        "--rate", "100", "--timeout", "3", "--interval", "0.05", "--json",
                                        "--echo-options", "--rcvbuf 4K"])
        #expect(ping.waitFor(seconds: 20) { !Self.lines($0, type: "echo").isEmpty }, "\(ping.stderr)")
        let ready = try #require(Self.lines(ping, type: "echo").first?["ready"] as? [String: Any])
        let pid = try #require((ready["pid"] as? Int).map(Int32.init))
        kill(pid, SIGSTOP)
        let allSent = ping.waitFor(seconds: 30) { program in
            Self.lines(program, type: "interval").reduce(0) { $0 + ($1["requests"] as? Int ?? 0) } == 100
        }
        kill(pid, SIGCONT)
        #expect(allSent, "\(ping.stdout)")
        #expect(ping.finish(within: 60) == 0, "\(ping.stderr)")
        let echoed = try #require(Self.lines(ping, type: "echo").last?["summary"] as? [String: Any])
        let drops = try #require(echoed["socket_drops"] as? Int)
        #expect(drops > 0, "a 4K buffer holds a few datagrams, not 100: \(echoed)")
        #expect((echoed["not_answered"] as? [String: Any])?["total"] as? Int == 0)
        let summary = try PingCLITests.summary(ping)
        let replies = try #require(summary["replies"] as? Int)
        #expect(summary["sent"] as? Int == 100)
        #expect(echoed["replies"] as? Int == replies)
        #expect(PingCLITests.lost(summary) == ["total": drops, "send_errors": 0, "late": 0, "before_echo": 0, "at_echo": drops, "never_answered": 0],
                "\(summary)")
        #expect(replies + drops == 100)
        #expect(serve.stop() == 0)
    }

    /// The server's allow-list for an echo, checked here before anything connects.
    @Test func echoOptionsAreCheckedBeforeConnecting() throws {
        let json = try Program.run("mpps", ["ping", "--server", "127.0.0.1:1", "--count", "1", "--echo-options", "--json"])
        #expect(json.status == 64)
        #expect(json.stderr == "mpps ping: --echo-options: option '--json' is not one a client may give (allowed: --batch --count --cpus --duration --gro --gso --interval --rcvbuf --reuseport --sockperf --steer --threads) (see 'mpps ping --help')\n")
        let alone = try Program.run("mpps", ["ping", "--count", "1", "--echo-options", "--cpus 1"])
        #expect(alone.status == 64)
        #expect(alone.stderr == "mpps ping: --echo-options goes with --server: they shape the remote echo (see 'mpps ping --help')\n")
        let ndr = try Program.run("mpps", ["ping", "--server", "127.0.0.1:1", "--ndr"])
        #expect(ndr.status == 64)
        #expect(ndr.stderr == "mpps ping: --ndr and --server exclude each other: start mpps echo there and search against it (see 'mpps ping --help')\n")
    }
}
