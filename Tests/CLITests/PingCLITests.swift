#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import PacketIO

/// `mpps ping`: exact accounts, strangers counted apart, and a stall the intended-time RTT shows.
@Suite struct PingCLITests {
    static func summary(_ program: Program) throws -> [String: Any] {
        let summary = try #require(program.stdoutLines.last.flatMap(jsonObject))
        #expect(summary["type"] as? String == "summary")
        return summary
    }

    static func lastLine(_ output: String) -> [String: Any]? {
        output.split(separator: "\n").last.flatMap { jsonObject(String($0)) }
    }

    static func lost(_ summary: [String: Any]) -> [String: Int] {
        (summary["lost"] as? [String: Any])?.compactMapValues { $0 as? Int } ?? [:]
    }

    static func microseconds(_ summary: [String: Any], _ key: String, _ percentile: String) -> Double? {
        ((summary[key] as? [String: Any])?[percentile] as? NSNumber)?.doubleValue
    }

    @Test(arguments: [("127.0.0.1", ["--rate", "2000"]), ("[::1]", ["--rate", "2000"]),
                      ("127.0.0.1", ["--inflight", "4"]), ("[::1]", ["--inflight", "1"])])
    func everyRequestIsAnsweredAndCounted(host: String, mode: [String]) throws {
        let (echo, address) = try EchoCLITests.startEcho(host)
        let ping = try Program.run("mpps", ["ping", "\(address)", "--count", "500", "--payload", "100", "--json"] + mode)
        #expect(ping.status == 0, "\(ping.stderr)")
        let summary = try #require(Self.lastLine(ping.stdout))
        #expect(summary["sent"] as? Int == 500, "\(summary)")
        #expect(summary["replies"] as? Int == 500)
        #expect(Self.lost(summary) == ["total": 0, "send_errors": 0, "late": 0, "never_answered": 0])
        #expect(summary["duplicates"] as? Int == 0)
        #expect(summary["stop"] as? String == "count")
        let histogram = try #require((summary["rtt_us"] as? [String: Any])?["histogram"] as? [[NSNumber]])
        #expect(histogram.reduce(0) { $0 + $1[1].intValue } == 500)
        JSONDocs.expectDocumented(lines: ping.stdout, section: "ping")
        echo.send(SIGINT)
        #expect(echo.finish(within: 20) == 0)
        let echoed = try Self.summary(echo)
        #expect(echoed["requests"] as? Int == 500)
        #expect(echoed["replies"] as? Int == 500)
        JSONDocs.expectDocumented(lines: echo.stdout, section: "echo")
    }

    /// Nobody answers: every request is lost, never answered, after the timeout.
    @Test func requestsNobodyAnswersAreLost() throws {
        let silent = try UDPSocket(family: .inet)
        try silent.bind(to: SocketAddress(ipv4: 127, 0, 0, 1, port: 0))
        let ping = try Program.run("mpps", ["ping", "\(try silent.localAddress())", "--count", "20", "--rate", "1000",
                                            "--timeout", "0.2", "--json"])
        #expect(ping.status == 0, "\(ping.stderr)")
        let summary = try #require(Self.lastLine(ping.stdout))
        #expect(summary["sent"] as? Int == 20)
        #expect(summary["replies"] as? Int == 0)
        #expect(Self.lost(summary) == ["total": 20, "send_errors": 0, "late": 0, "never_answered": 20])
    }

    /// An echo written here answers each request four ways: from a stranger's port, with a forged
    /// header, a duplicate of the previous reply, and the real reply. Only the last completes a request.
    @Test func strangersForgeriesAndDuplicatesCompleteNothing() throws {
        let echo = try UDPSocket(family: .inet)
        try echo.bind(to: SocketAddress(ipv4: 127, 0, 0, 1, port: 0))
        try echo.setReceiveTimeout(milliseconds: 10_000)
        let stranger = try UDPSocket(family: .inet)
        try stranger.bind(to: SocketAddress(ipv4: 127, 0, 0, 1, port: 0))
        let ping = try Program("mpps", ["ping", "\(try echo.localAddress())", "--inflight", "1", "--count", "50", "--json"])
        var requests = ReceiveBatch(capacity: 1, slotSize: 2048)
        var previous: [UInt8]?
        for _ in 0..<50 {
            guard try requests.receive(from: echo) == 1, let peer = requests.sourceAddress(at: 0) else { break }
            let bytes = requests.withUnsafeBytes(at: 0) { Array($0) }
            var forged = bytes
            forged[4] ^= 0xff  // the run's token
            _ = try bytes.withUnsafeBytes { try stranger.send($0, to: peer) }
            _ = try forged.withUnsafeBytes { try echo.send($0, to: peer) }
            if let previous { _ = try previous.withUnsafeBytes { try echo.send($0, to: peer) } }
            _ = try bytes.withUnsafeBytes { try echo.send($0, to: peer) }
            previous = bytes
        }
        #expect(ping.finish(within: 20) == 0, "\(ping.stderr)")
        let summary = try Self.summary(ping)
        #expect(summary["sent"] as? Int == 50, "\(summary)")
        #expect(summary["replies"] as? Int == 50)
        #expect(summary["duplicates"] as? Int == 49)
        let strangers = try #require(summary["strangers"] as? [String: Any])
        #expect(strangers["wrong_source"] as? Int == 50)
        #expect(strangers["forged"] as? Int == 50)
        #expect(Self.lost(summary)["total"] == 0)
    }

    /// The echo stops for 200 ms under an open loop capped at 4 requests in flight: the requests
    /// due meanwhile wait in the ping and go late, so the RTT from their intended send time shows
    /// the stall and the RTT from their actual send time mostly does not (coordinated omission).
    @Test func aStalledEchoShowsInTheIntendedTimeRTT() throws {
        let (echo, address) = try EchoCLITests.startEcho("127.0.0.1")
        let ping = try Program("mpps", ["ping", "\(address)", "--rate", "1000", "--inflight", "4", "--timeout", "5",
                                        "--duration", "3", "--interval", "0.1", "--json"])
        // Replies are flowing once an interval line counts some.
        #expect(ping.waitFor(seconds: 20) { program in
            program.stdoutLines.compactMap(jsonObject).contains { $0["type"] as? String == "interval" && ($0["replies"] as? Int ?? 0) > 0 }
        }, "\(ping.stderr)")
        echo.send(SIGSTOP)
        usleep(200_000)  // the stall itself
        echo.send(SIGCONT)
        #expect(ping.finish(within: 30) == 0, "\(ping.stderr)")
        let summary = try Self.summary(ping)
        let sent = try #require(summary["sent"] as? Int)
        #expect(sent == (summary["replies"] as? Int ?? -1) + (Self.lost(summary)["total"] ?? -1))
        let intended = try #require(Self.microseconds(summary, "rtt_us", "p99"))
        let actual = try #require(Self.microseconds(summary, "rtt_actual_us", "p99"))
        #expect(intended >= 100_000, "intended p99 \(intended) µs, actual \(actual) µs")
        #expect(intended >= 3 * actual, "intended p99 \(intended) µs, actual \(actual) µs")
        echo.send(SIGINT)
        #expect(echo.finish(within: 20) == 0)
    }

    /// A server mpps did not write: Python's socket module reflecting each datagram.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs /usr/bin/python3"))
    func aPythonEchoServerAnswers() throws {
        let script = """
        import socket, sys
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1], flush=True)
        while True:
            data, peer = s.recvfrom(65536)
            s.sendto(data, peer)
        """
        let server = try Program("/usr/bin/python3", ["-c", script])
        // The test process's blocked signals pass to its children: SIGTERM would wait for ever.
        defer { server.send(SIGKILL); _ = server.finish(within: 10) }
        #expect(server.waitFor(seconds: 10) { $0.stdout.hasSuffix("\n") })
        let port = try #require(UInt16(server.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let ping = try Program.run("mpps", ["ping", "127.0.0.1:\(port)", "--inflight", "1", "--count", "200", "--json"])
        #expect(ping.status == 0, "\(ping.stderr)")
        let summary = try #require(Self.lastLine(ping.stdout))
        #expect(summary["sent"] as? Int == 200)
        #expect(summary["replies"] as? Int == 200)
        #expect(Self.lost(summary)["total"] == 0)
    }

    @Test(arguments: [
        (["ping", "--payload", "31"], "mpps ping: --payload must be a whole number from 32 to 65527 (the header is 32), not '31' (see 'mpps ping --help')"),
        (["ping", "--inflight", "0"], "mpps ping: --inflight must be a whole number from 1 to 1024, not '0' (see 'mpps ping --help')"),
        (["ping", "127.0.0.1:0"], "mpps ping: TARGET needs a port other than 0, such as 127.0.0.1:4321 (see 'mpps ping --help')"),
        (["ping", "0.0.0.0:9"], "mpps ping: TARGET must be an address a reply can come from, not 0.0.0.0: use 127.0.0.1 or the echo's address (see 'mpps ping --help')"),
        (["ping", "--timeout", "61"], "mpps ping: --timeout must be a number of seconds from 0.001 to 60 such as 6 or 0.5, not '61' (see 'mpps ping --help')"),
        (["ping", "--rate", "0"], "mpps ping: --rate must be a rate from 1 to 1G datagrams per second such as 100000, 500k or 1.5M, not '0' (see 'mpps ping --help')"),
    ])
    func badFlagsAreOneLineAndStatus64(arguments: [String], message: String) throws {
        let result = try Program.run("mpps", arguments)
        #expect(result.status == 64)
        #expect(result.stdout == "")
        #expect(result.stderr == message + "\n")
    }

    /// `--ndr` against mpps echo with loose bounds: the search ends with a confirmed rate, and
    /// every trial's account closes.
    @Test func theNDRSearchFindsAConfirmedRate() throws {
        let (echo, address) = try EchoCLITests.startEcho("127.0.0.1")
        let ping = try Program.run("mpps", ["ping", "\(address)", "--ndr", "--min-rate", "500", "--max-rate", "4000",
                                            "--steps", "2", "--trial", "0.3", "--timeout", "0.2", "--loss", "0.5",
                                            "--p99", "10000000", "--json"], within: 60)
        #expect(ping.status == 0, "\(ping.stderr)")
        let lines = ping.stdout.split(separator: "\n").compactMap { jsonObject(String($0)) }
        let trials = lines.filter { $0["type"] as? String == "trial" }
        #expect(!trials.isEmpty)
        for trial in trials {
            #expect((trial["sent"] as? Int ?? -1) == (trial["replies"] as? Int ?? -2) + (trial["lost"] as? Int ?? -3), "\(trial)")
        }
        let answer = try #require(lines.last)
        #expect(answer["type"] as? String == "ndr")
        #expect(answer["confirmed"] as? Bool == true, "\(lines)")
        #expect((answer["rate"] as? NSNumber)?.doubleValue == 4000, "\(answer)")
        echo.send(SIGINT)
        #expect(echo.finish(within: 20) == 0)
    }

    @Test func ndrBoundsGoWithNDR() throws {
        let result = try Program.run("mpps", ["ping", "--loss", "0.1"])
        #expect(result.status == 64)
        #expect(result.stderr == "mpps ping: --loss goes with --ndr (see 'mpps ping --help')\n")
    }
}
