#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import PacketIO

/// `mpps ping --flows`: several source ports, each its own account, spread over an
/// echo's SO_REUSEPORT sockets; and the echo's per-flow count of requests lost on the way in.
@Suite struct PingFlowsCLITests {
    /// The echo's `ping_flows` object from its summary.
    static func pingFlows(_ echo: Program) throws -> [String: Any] {
        let summary = try PingCLITests.summary(echo)
        return try #require(summary["ping_flows"] as? [String: Any], "\(summary)")
    }

    static func accounts(_ flows: [String: Any]) -> [[String: Any]] {
        flows["accounts"] as? [[String: Any]] ?? []
    }

    /// Requests the echo's interval lines count so far.
    static func requestsSeen(_ echo: Program) -> Int {
        echo.stdoutLines.compactMap(jsonObject).filter { $0["type"] as? String == "interval" }
            .reduce(0) { $0 + ($1["requests"] as? Int ?? 0) }
    }

    /// A request with mpps ping's header, as a client other than mpps ping could forge it.
    static func request(token: UInt32, flow: UInt16, sequence: UInt64) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 32)
        func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { for (index, byte) in $0.enumerated() { bytes[offset + index] = byte } }
        }
        put(UInt16(0x5047), at: 0)
        put(flow, at: 2)
        put(token, at: 4)
        put(sequence, at: 8)
        return bytes
    }

    static func client(_ target: SocketAddress) throws -> UDPSocket {
        let socket = try UDPSocket(family: target.family)
        try socket.bind(to: target.family == .inet ? SocketAddress(ipv4: 127, 0, 0, 1, port: 0) : .ipv6Loopback(port: 0))
        return socket
    }

    @Test(arguments: [("127.0.0.1", ["--inflight", "2"]), ("[::1]", ["--inflight", "2"]),
                      ("127.0.0.1", ["--rate", "4000"]), ("[::1]", ["--rate", "4000"])])
    func fourFlowsReachAnEchosTwoSocketsEachWithItsOwnAccount(host: String, mode: [String]) throws {
        let (echo, address) = try EchoCLITests.startEcho(host, ["--threads", "2", "--reuseport"])
        let ping = try Program.run("mpps", ["ping", "\(address)", "--flows", "4", "--threads", "2", "--count", "400",
                                            "--timeout", "10", "--json"] + mode)
        #expect(ping.status == 0, "\(ping.stderr)")
        let ready = try #require(ping.stdout.split(separator: "\n").first.flatMap { jsonObject(String($0)) })
        #expect(ready["flows"] as? Int == 4)
        let summary = try #require(PingCLITests.lastLine(ping.stdout))
        #expect(summary["sent"] as? Int == 400, "\(summary)")
        #expect(summary["replies"] as? Int == 400)
        #expect(PingCLITests.lost(summary) == ["total": 0, "send_errors": 0, "late": 0, "never_answered": 0])
        let flows = try #require(summary["flows"] as? [String: Int])
        #expect(flows == ["count": 4, "replies_min": 100, "replies_max": 100, "lost_max": 0])
        JSONDocs.expectDocumented(lines: ping.stdout, section: "ping")
        echo.send(SIGINT)
        #expect(echo.finish(within: 20) == 0)
        let echoed = try Self.pingFlows(echo)
        #expect(echoed["flows"] as? Int == 4, "\(echoed)")
        #expect(echoed["requests"] as? Int == 400)
        #expect(echoed["lost_in"] as? Int == 0)
        let accounts = Self.accounts(echoed)
        #expect(accounts.count == 4)
        #expect(Set(accounts.compactMap { $0["source"] as? String }).count == 4, "four source ports: \(accounts)")
        #expect(Set(accounts.compactMap { $0["flow"] as? Int }) == [0, 1, 2, 3])
        #expect(Set(accounts.compactMap { $0["token"] as? Int }).count == 1)
        for account in accounts {
            #expect(account["requests"] as? Int == 100, "\(account)")
            #expect(account["lost_in"] as? Int == 0)
            #expect(account["highest"] as? Int == 99)
        }
        let summaryLine = try PingCLITests.summary(echo)
        #expect((summaryLine["threads"] as? [Int])?.reduce(0, +) == 400)
        JSONDocs.expectDocumented(lines: echo.stdout, section: "echo")
    }

    /// A client that forges mpps ping's header skips sequence numbers 5, 17, 18 and 60 of 0..<100,
    /// sends 30 twice and 71 before 70: the echo's account of the flow says 97 requests, 4 lost on
    /// the way in, 1 duplicate, 1 reordered; what lies past the highest (nothing here) is not its to know.
    @Test(arguments: ["127.0.0.1", "[::1]"])
    func theEchoCountsTheGapsOfAFlow(host: String) throws {
        let (echo, address) = try EchoCLITests.startEcho(host, ["--interval", "0.05"])
        let client = try Self.client(address)
        var order = (0..<100).filter { ![5, 17, 18, 60].contains($0) }
        order.insert(30, at: order.firstIndex(of: 31)!)
        order.swapAt(order.firstIndex(of: 70)!, order.firstIndex(of: 71)!)
        for sequence in order {
            _ = try Self.request(token: 7, flow: 3, sequence: UInt64(sequence)).withUnsafeBytes { try client.send($0, to: address) }
        }
        #expect(echo.waitFor(seconds: 20) { Self.requestsSeen($0) == 97 }, "\(echo.stdout)")
        echo.send(SIGINT)
        #expect(echo.finish(within: 20) == 0)
        let echoed = try Self.pingFlows(echo)
        #expect(echoed["flows"] as? Int == 1)
        #expect(echoed["requests"] as? Int == 97)
        #expect(echoed["lost_in"] as? Int == 4)
        #expect(echoed["duplicates"] as? Int == 1)
        #expect(echoed["reordered"] as? Int == 1)
        let account = try #require(Self.accounts(echoed).first)
        #expect(account["source"] as? String == "\(try client.localAddress())")
        #expect(account["token"] as? Int == 7)
        #expect(account["flow"] as? Int == 3)
        #expect(account["highest"] as? Int == 99)
        #expect(account["lost_in"] as? Int == 4)
    }

    /// Requests really lost before the echo: it stops (SIGSTOP) with a 4 KiB receive buffer while
    /// ping's flow goes on, then continues and reads the rest. Every request its socket dropped is
    /// a gap it counts in the flow or lies past the highest it saw (none, unless this test was held
    /// up for seconds), and ping never got answers to exactly those.
    @Test func theGapsAreTheRequestsTheEchosSocketDropped() throws {
        let (echo, address) = try EchoCLITests.startEcho("127.0.0.1", ["--rcvbuf", "4K"])
        let ping = try Program("mpps", ["ping", "\(address)", "--count", "600", "--rate", "200", "--timeout", "5",
                                        "--interval", "0.05", "--json"])
        func sent(_ program: Program) -> Int {
            program.stdoutLines.compactMap(jsonObject).filter { $0["type"] as? String == "interval" }
                .reduce(0) { $0 + ($1["requests"] as? Int ?? 0) }
        }
        #expect(ping.waitFor(seconds: 30) { sent($0) >= 20 }, "\(ping.stderr)")
        echo.send(SIGSTOP)
        let during = ping.waitFor(seconds: 30) { sent($0) >= 100 }
        echo.send(SIGCONT)
        #expect(during)
        #expect(ping.finish(within: 60) == 0, "\(ping.stderr)")
        let summary = try PingCLITests.summary(ping)
        echo.send(SIGINT)
        #expect(echo.finish(within: 20) == 0)
        let echoSummary = try PingCLITests.summary(echo)
        let drops = try #require(echoSummary["socket_drops"] as? Int)
        #expect(drops > 0, "a 4K buffer holds a few requests, not 80: \(echoSummary)")
        let echoed = try Self.pingFlows(echo)
        let account = try #require(Self.accounts(echoed).first, "\(echoed)")
        let gaps = try #require(account["lost_in"] as? Int)
        let highest = try #require(account["highest"] as? Int)
        #expect(gaps > 0, "requests came after the echo continued: \(account)")
        #expect(gaps + (599 - highest) == drops, "\(account), \(drops) dropped")
        #expect(echoed["lost_in"] as? Int == gaps)
        #expect(echoed["requests"] as? Int == 600 - drops)
        #expect(summary["replies"] as? Int == 600 - drops, "\(summary)")
        #expect(PingCLITests.lost(summary) == ["total": drops, "send_errors": 0, "late": 0, "never_answered": drops])
    }

    /// A stranger that learned a flow's token sends from its own port with the flow's name, a
    /// sequence number a billion past the flow's and repeats of its numbers, then 1000 made-up
    /// flows to crowd the table: the real flow's account stays exact (100 requests, nothing
    /// lost), the stranger's datagrams are in accounts of their own or untracked, never dropped from the count.
    @Test func strangersChangeNoAccountButTheirOwn() throws {
        let (echo, address) = try EchoCLITests.startEcho("127.0.0.1", ["--interval", "0.05"])
        let real = try Self.client(address)
        let stranger = try Self.client(address)
        func send(_ socket: borrowing UDPSocket, token: UInt32, flow: UInt16, _ sequences: some Sequence<Int>) throws {
            for sequence in sequences {
                _ = try Self.request(token: token, flow: flow, sequence: UInt64(sequence)).withUnsafeBytes { try socket.send($0, to: address) }
            }
        }
        try send(real, token: 99, flow: 0, 0..<50)
        try send(stranger, token: 99, flow: 0, [1_000_000_000, 0, 1, 2])
        #expect(echo.waitFor(seconds: 20) { Self.requestsSeen($0) == 54 }, "\(echo.stdout)")
        for flow in 0..<1000 { try send(stranger, token: 1000 + UInt32(flow), flow: 0, [0]) }
        #expect(echo.waitFor(seconds: 20) { Self.requestsSeen($0) == 1054 }, "\(echo.stdout)")
        try send(real, token: 99, flow: 0, 50..<100)
        #expect(echo.waitFor(seconds: 20) { Self.requestsSeen($0) == 1104 }, "\(echo.stdout)")
        echo.send(SIGINT)
        #expect(echo.finish(within: 20) == 0)
        let echoed = try Self.pingFlows(echo)
        let realSource = "\(try real.localAddress())"
        let account = try #require(Self.accounts(echoed).first { $0["source"] as? String == realSource })
        #expect(account["requests"] as? Int == 100, "\(account)")
        #expect(account["lost_in"] as? Int == 0)
        #expect(account["duplicates"] as? Int == 0)
        #expect(account["highest"] as? Int == 99)
        let strangerSource = "\(try stranger.localAddress())"
        let forged = try #require(Self.accounts(echoed).first { $0["source"] as? String == strangerSource && $0["token"] as? Int == 99 })
        #expect(forged["requests"] as? Int == 4)
        // The real flow, the forged one, then each made-up flow: a place or untracked, every datagram counted once.
        let flows = try #require(echoed["flows"] as? Int)
        let untracked = try #require(echoed["untracked"] as? Int)
        #expect(flows + untracked == 1002, "\(echoed)")
        #expect(echoed["requests"] as? Int == 1104 - untracked)
        #expect(echoed["implausible"] as? Int == 0)
    }

    @Test(arguments: [
        (["ping", "--flows", "1", "--threads", "2"], "mpps ping: --flows 1 is fewer than --threads 2: every pinging thread needs a flow of its own (see 'mpps ping --help')"),
        (["ping", "--flows", "4097"], "mpps ping: --flows must be a whole number from 1 to 4096, not '4097' (see 'mpps ping --help')"),
        (["ping", "--flows", "0"], "mpps ping: --flows must be a whole number from 1 to 4096, not '0' (see 'mpps ping --help')"),
        (["ping", "--flows", "two"], "mpps ping: --flows must be a whole number from 1 to 4096, not 'two' (see 'mpps ping --help')"),
    ])
    func badFlowsAreOneLineAndStatus64(arguments: [String], message: String) throws {
        let result = try Program.run("mpps", arguments)
        #expect(result.status == 64)
        #expect(result.stdout == "")
        #expect(result.stderr == message + "\n")
    }
}
