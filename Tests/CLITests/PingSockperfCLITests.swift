#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import PacketIO

/// `mpps ping --sockperf`: requests with sockperf's header first, answered by `sockperf sr`
/// and by `mpps echo --sockperf`, with the exact account; a reply whose sockperf header is
/// not its request's as sockperf's server returns it completes nothing.
@Suite struct PingSockperfCLITests {
    static let hasSockperf = FileManager.default.isExecutableFile(atPath: "/usr/bin/sockperf")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    /// Whether a UDP socket is bound to 127.0.0.1:`port`, per /proc/net/udp (bound is ready:
    /// what arrives after the bind waits in the socket's buffer).
    static func isBound(_ port: UInt16) -> Bool {
        let table = (try? String(contentsOfFile: "/proc/net/udp", encoding: .utf8)) ?? ""
        return table.contains(String(format: " 0100007F:%04X ", Int(port)))
    }

    static func strangers(_ summary: [String: Any]) -> [String: Int] {
        (summary["strangers"] as? [String: Any])?.compactMapValues { $0 as? Int } ?? [:]
    }

    /// Runs `mpps ping` with `arguments` and returns its summary, checking the account is exact:
    /// `count` sent, as many replies, nothing lost, nothing counted apart.
    static func expectEveryReply(_ arguments: [String], count: Int) throws {
        let ping = try Program.run("mpps", ["ping"] + arguments + ["--count", "\(count)", "--json"], within: 60)
        #expect(ping.status == 0, "\(ping.stderr)")
        let summary = try #require(PingCLITests.lastLine(ping.stdout))
        #expect(summary["sent"] as? Int == count, "\(summary)")
        #expect(summary["replies"] as? Int == count, "\(summary)")
        #expect(PingCLITests.lost(summary) == ["total": 0, "send_errors": 0, "late": 0, "never_answered": 0])
        #expect(summary["duplicates"] as? Int == 0)
        #expect(Self.strangers(summary) == ["wrong_source": 0, "forged": 0, "stale": 0], "\(summary)")
        let ready = try #require(ping.stdout.split(separator: "\n").first.flatMap { jsonObject(String($0)) })
        #expect(ready["sockperf"] as? Bool == true, "\(ready)")
        JSONDocs.expectDocumented(lines: ping.stdout, section: "ping")
    }

    /// sockperf 3.7's server takes IPv4 addresses only (`-i ::1` is "Invalid address"): IPv6 is
    /// tested against mpps echo below.
    @Test(.enabled(if: hasSockperf, "needs sockperf (apt-get install sockperf) and python3"),
          arguments: [["--inflight", "1"], ["--rate", "2000", "--payload", "100"]])
    func sockperfServerAnswersEveryRequest(mode: [String]) throws {
        let port = freePort()
        // The test process's blocked signals pass to its children: unblock them, then become sockperf.
        let unblocked = ["/usr/bin/python3", "-c",
                         "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])"]
        let server = try Program("/usr/bin/sockperf", ["sr", "-i", "127.0.0.1", "-p", "\(port)"], prefix: unblocked)
        defer { server.send(SIGKILL); _ = server.finish(within: 10) }
        #expect(server.waitFor(seconds: 20) { _ in Self.isBound(port) }, "\(server.stdout)\(server.stderr)")
        try Self.expectEveryReply(["127.0.0.1:\(port)", "--sockperf"] + mode, count: 500)
    }

    @Test(arguments: [("127.0.0.1", ["--inflight", "1"]), ("[::1]", ["--inflight", "4"]),
                      ("127.0.0.1", ["--rate", "2000"]), ("[::1]", ["--rate", "2000", "--payload", "300"])])
    func mppsEchoAnswersEveryRequest(host: String, mode: [String]) throws {
        let (echo, address) = try EchoCLITests.startEcho(host, ["--sockperf"])
        try Self.expectEveryReply(["\(address)", "--sockperf"] + mode, count: 500)
        echo.send(SIGINT)
        #expect(echo.finish(within: 20) == 0)
        let echoed = try PingCLITests.summary(echo)
        #expect(echoed["requests"] as? Int == 500)
        #expect(echoed["replies"] as? Int == 500)
    }

    /// With `--server`, the remote echo is started with `--sockperf` too (a plain echo's replies
    /// would keep the client flag, and every one would be forged).
    @Test func theServersEchoAnswersAsSockperfsServer() throws {
        let serve = try ServeProcess()
        let ping = try Program("mpps", ["ping", "--server", serve.address, "127.0.0.1:\(freePort())", "--sockperf",
                                        "--count", "200", "--inflight", "4", "--timeout", "10", "--json"])
        #expect(ping.finish(within: 60) == 0, "\(ping.stderr)")
        let echoed = try #require(PingServerCLITests.lines(ping, type: "echo").last?["summary"] as? [String: Any])
        #expect(echoed["requests"] as? Int == 200, "\(echoed)")
        #expect(echoed["replies"] as? Int == 200)
        let summary = try PingCLITests.summary(ping)
        #expect(summary["replies"] as? Int == 200, "\(summary)")
        #expect(Self.strangers(summary) == ["wrong_source": 0, "forged": 0, "stale": 0], "\(summary)")
        #expect(PingCLITests.lost(summary) == ["total": 0, "send_errors": 0, "late": 0, "at_echo": 0, "before_echo": 0, "never_answered": 0])
        #expect(serve.stop() == 0)
    }

    /// An echo written here answers each request four ways: unchanged (the client flag still
    /// set, as a plain echo would), with the flag cleared but another sockperf sequence, with
    /// the flag cleared but another length in sockperf's header, and as sockperf's server does.
    /// Only the last completes a request; the others are forged.
    @Test func repliesWithoutTheServersHeaderAreForged() throws {
        let echo = try UDPSocket(family: .inet)
        try echo.bind(to: SocketAddress(ipv4: 127, 0, 0, 1, port: 0))
        try echo.setReceiveTimeout(milliseconds: 10_000)
        let ping = try Program("mpps", ["ping", "\(try echo.localAddress())", "--sockperf", "--inflight", "1", "--count", "50",
                                        "--json"])
        var requests = ReceiveBatch(capacity: 1, slotSize: 2048)
        var lengths: Set<Int> = []
        for _ in 0..<50 {
            guard try requests.receive(from: echo) == 1, let peer = requests.sourceAddress(at: 0) else { break }
            let request = requests.withUnsafeBytes(at: 0) { Array($0) }
            lengths.insert(request.count)
            var answer = request
            answer[9] &= ~1  // the client flag: sockperf's server clears it
            var otherSequence = answer
            otherSequence[7] ^= 1
            var otherLength = answer
            otherLength[13] ^= 1
            for reply in [request, otherSequence, otherLength, answer] {
                _ = try reply.withUnsafeBytes { try echo.send($0, to: peer) }
            }
        }
        #expect(ping.finish(within: 20) == 0, "\(ping.stderr)")
        #expect(lengths == [46], "the smallest request: sockperf's header and ping's")
        let summary = try PingCLITests.summary(ping)
        #expect(summary["sent"] as? Int == 50, "\(summary)")
        #expect(summary["replies"] as? Int == 50)
        #expect(summary["duplicates"] as? Int == 0)
        #expect(Self.strangers(summary) == ["wrong_source": 0, "forged": 150, "stale": 0], "\(summary)")
        #expect(PingCLITests.lost(summary)["total"] == 0)
    }

    /// Each request as sent: sockperf's header (sequence, client and reply flags, length), then ping's.
    @Test func requestsCarrySockperfsHeaderThenPings() throws {
        let echo = try UDPSocket(family: .inet)
        try echo.bind(to: SocketAddress(ipv4: 127, 0, 0, 1, port: 0))
        try echo.setReceiveTimeout(milliseconds: 10_000)
        let ping = try Program("mpps", ["ping", "\(try echo.localAddress())", "--sockperf", "--rate", "1000", "--count", "3",
                                        "--payload", "60", "--timeout", "0.1", "--json"])
        var requests = ReceiveBatch(capacity: 1, slotSize: 2048)
        for sequence in 0..<3 {
            guard try requests.receive(from: echo) == 1 else { break }
            let request = requests.withUnsafeBytes(at: 0) { Array($0) }
            #expect(request.count == 60)
            #expect(Array(request[0..<14]) == [0, 0, 0, 0, 0, 0, 0, UInt8(sequence), 0, 3, 0, 0, 0, 60], "\(request)")
            #expect(Array(request[14..<16]) == [0x47, 0x50], "ping's magic, little-endian")
            #expect(Array(request[22..<30]) == [UInt8(sequence), 0, 0, 0, 0, 0, 0, 0], "ping's sequence")
        }
        #expect(ping.finish(within: 20) == 0, "\(ping.stderr)")
        let summary = try PingCLITests.summary(ping)
        #expect(PingCLITests.lost(summary) == ["total": 3, "send_errors": 0, "late": 0, "never_answered": 3])
    }

    @Test(arguments: [
        (["ping", "--sockperf", "--payload", "45"], "mpps ping: --payload must be a whole number from 46 to 65527 (with --sockperf: sockperf's header, 14, then ping's, 32), not '45' (see 'mpps ping --help')"),
        (["ping", "--sockperf", "--payload", "32"], "mpps ping: --payload must be a whole number from 46 to 65527 (with --sockperf: sockperf's header, 14, then ping's, 32), not '32' (see 'mpps ping --help')"),
    ])
    func aPayloadWithoutRoomForBothHeadersIsAUsageError(arguments: [String], message: String) throws {
        let result = try Program.run("mpps", arguments)
        #expect(result.status == 64)
        #expect(result.stdout == "")
        #expect(result.stderr == message + "\n")
    }
}
