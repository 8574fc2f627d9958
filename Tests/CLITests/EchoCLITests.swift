#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import PacketIO

/// `mpps echo`: every request answered with its own bytes, and the account exact.
@Suite struct EchoCLITests {
    /// Starts `mpps echo` on an ephemeral port of `host` and returns it with the address it answers on.
    static func startEcho(_ host: String, _ extra: [String] = []) throws -> (Program, SocketAddress) {
        let echo = try Program("mpps", ["echo", "\(host):0", "--json"] + extra)
        guard echo.waitForReady(), let text = echo.readyLine?["address"] as? String else {
            throw ProgramError("mpps echo did not get ready: \(echo.stderr)")
        }
        return (echo, try SocketAddress(parsing: text))
    }

    /// The bytes of request `index`: its length and contents differ from every other's.
    static func request(_ index: Int) -> [UInt8] {
        let length = [0, 1, 31, 32, 200, 1472, 1473, 9000][index % 8] + index % 3
        return (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ index) }
    }

    /// Sends `count` requests one at a time from a socket of `family` and checks each reply byte for byte.
    static func pingPong(_ target: SocketAddress, count: Int) throws -> Int {
        let client = try UDPSocket(family: target.family)
        try client.bind(to: target.family == .inet ? SocketAddress(ipv4: 127, 0, 0, 1, port: 0) : .ipv6Loopback(port: 0))
        try client.setReceiveTimeout(milliseconds: 5000)
        var replies = ReceiveBatch(capacity: 4, slotSize: 65536)
        var matched = 0
        for index in 0..<count {
            let bytes = request(index)
            _ = try bytes.withUnsafeBytes { try client.send($0, to: target) }
            guard try replies.receive(from: client) == 1 else { break }
            let same = replies.withUnsafeBytes(at: 0) { Array($0) == bytes }
            if same && replies.sourceAddress(at: 0) == target { matched += 1 }
        }
        return matched
    }

    @Test(arguments: ["127.0.0.1", "[::1]"])
    func everyRequestIsAnsweredByteForByte(host: String) throws {
        let (echo, address) = try Self.startEcho(host, ["--count", "400"])
        #expect(try Self.pingPong(address, count: 400) == 400)
        #expect(echo.finish(within: 20) == 0, "\(echo.stderr)")
        let summary = try #require(echo.stdoutLines.last.flatMap(jsonObject))
        #expect(summary["type"] as? String == "summary")
        #expect(summary["requests"] as? Int == 400, "\(summary)")
        #expect(summary["replies"] as? Int == 400)
        let notAnswered = try #require(summary["not_answered"] as? [String: Any])
        #expect(notAnswered["total"] as? Int == 0)
        let bytes = (0..<400).reduce(0) { $0 + Self.request($1).count }
        #expect(summary["request_bytes"] as? Int == bytes)
        #expect(summary["reply_bytes"] as? Int == bytes)
        #expect(summary["stop"] as? String == "count")
    }

    /// With `--gro` each GSO send of 64 requests arrives as one message: every request is still
    /// answered as its own datagram, byte for byte, though a batch of 4 holds 256 requests and
    /// the replies' 4 slots are sent and refilled 16 times per call.
    @Test(.enabled(if: Offload.segmentationSupported && Offload.receiveCoalescingSupported, "needs UDP GSO and GRO"))
    func coalescedRequestsAreAnsweredOneByOne() throws {
        let (echo, address) = try Self.startEcho("127.0.0.1", ["--gro", "--batch", "4", "--count", "2560"])
        #expect(echo.readyLine?["gro"] as? Bool == true)
        var client = try UDPSocket(family: .inet)
        try client.bind(to: SocketAddress(ipv4: 127, 0, 0, 1, port: 0))
        _ = try client.setReceiveBufferSize(4 << 20)
        try client.setReceiveTimeout(milliseconds: 5000)
        let requests = SendBatch(capacity: 1, payloadSize: 32, segmentsPerMessage: 64, perMessageDestinations: true,
                                 perMessageSegmentSizes: true)
        requests.setDestination(address, at: 0)
        requests.setSegmentSize(32, at: 0)
        requests.setMessageLength(64 * 32, at: 0)
        var replies = ReceiveBatch(capacity: 64, slotSize: 2048)
        var matched = 0
        for message in 0..<40 {
            var expected = Set<[UInt8]>()
            for segment in 0..<64 {
                let bytes = (0..<32).map { UInt8(truncatingIfNeeded: message &* 64 &+ segment &+ $0 &* 7) }
                expected.insert(bytes)
                requests.withUnsafeMutablePayload(at: 0, segment: segment) { $0.copyBytes(from: bytes) }
            }
            #expect(requests.sendAll(to: 1, on: &client).datagrams == 64)
            var received = 0
            while received < 64, try replies.receive(from: client) > 0 {
                replies.forEachDatagram { reply in
                    received += 1
                    if expected.remove(Array(reply.bytes)) != nil && reply.source == address { matched += 1 }
                }
            }
        }
        #expect(matched == 2560)
        #expect(echo.finish(within: 20) == 0, "\(echo.stderr)")
        let summary = try #require(echo.stdoutLines.last.flatMap(jsonObject))
        #expect(summary["requests"] as? Int == 2560, "\(summary)")
        #expect(summary["replies"] as? Int == 2560)
        #expect(summary["request_bytes"] as? Int == 2560 * 32)
        #expect(summary["reply_bytes"] as? Int == 2560 * 32)
        #expect((summary["receive_calls"] as? Int ?? .max) <= 40, "one message per send: \(summary)")
        #expect(summary["gso_messages"] as? Int == 0, "no GSO replies without --gso")
        #expect((summary["send_calls"] as? Int ?? 0) >= 2560 / 4, "4 replies per sendmmsg: \(summary)")
    }

    /// A GSO request of `segments` segments of `size` bytes, the last `last` bytes long: bytes unlike any other request's.
    static func gsoRequest(_ message: Int, segments: Int, size: Int, last: Int) -> [[UInt8]] {
        (0..<segments).map { segment in
            (0..<(segment == segments - 1 ? last : size)).map { UInt8(truncatingIfNeeded: message &* 31 &+ segment &* 3 &+ $0) }
        }
    }

    /// With `--gro --gso` each coalesced request message goes back as GSO sends of its own bytes and
    /// segment size: every segment answered once, byte for byte, as its own datagram (the client has no
    /// GRO), a short last segment as short, and the echo's counts show the GSO sends. Runs of 64
    /// segments of 32 bytes, of 20 of 100 bytes ending in 37, and (where the kernel takes a GSO send of
    /// more than 64) one of 100 of 16, answered with two GSO sends of 64 and 36.
    @Test(.enabled(if: Offload.segmentationSupported && Offload.receiveCoalescingSupported, "needs UDP GSO and GRO"),
          arguments: ["127.0.0.1", "[::1]"])
    func coalescedRequestsAreAnsweredWithGSO(host: String) throws {
        let (echo, address) = try Self.startEcho(host, ["--gro", "--gso", "--batch", "4"])
        #expect(echo.readyLine?["gso"] as? Bool == true)
        var client = try UDPSocket(family: address.family)
        try client.bind(to: address.family == .inet ? SocketAddress(ipv4: 127, 0, 0, 1, port: 0) : .ipv6Loopback(port: 0))
        _ = try client.setReceiveBufferSize(4 << 20)
        try client.setReceiveTimeout(milliseconds: 5000)
        let requests = SendBatch(capacity: 1, payloadSize: 2048, perMessageDestinations: true, perMessageSegmentSizes: true)
        requests.setDestination(address, at: 0)
        var replies = ReceiveBatch(capacity: 64, slotSize: 2048)
        let shapes = Array(repeating: (segments: 64, size: 32, last: 32), count: 30)
            + Array(repeating: (segments: 20, size: 100, last: 37), count: 10) + [(segments: 100, size: 16, last: 16)]
        var (requested, bytes, matched, gsoMessages) = (0, 0, 0, 0)
        for (message, shape) in shapes.enumerated() {
            let segments = Self.gsoRequest(message, segments: shape.segments, size: shape.size, last: shape.last)
            segments.flatMap { $0 }.withUnsafeBytes { requests.setMessage(copying: $0, at: 0) }
            requests.setSegmentSize(shape.size, at: 0)
            let outcome = requests.sendAll(to: 1, on: &client)
            #expect(outcome.datagrams == shape.segments && outcome.error == nil)
            // One GSO send each, but a run of 100 where this kernel refused it (UDP_MAX_SEGMENTS 64): 100 datagrams.
            if outcome.segmentedMessages == 1 { gsoMessages += (shape.segments + 63) / 64 }
            requested += shape.segments
            bytes += segments.reduce(0) { $0 + $1.count }
            var expected = segments
            while !expected.isEmpty, try replies.receive(from: client) > 0 {
                replies.forEachDatagram { reply in
                    guard let index = expected.firstIndex(of: Array(reply.bytes)), reply.source == address else { return }
                    expected.remove(at: index)
                    matched += 1
                }
            }
            #expect(expected.isEmpty, "message \(message): \(expected.count) segments not answered")
        }
        #expect(matched == requested)
        echo.send(SIGINT)
        #expect(echo.finish(within: 20) == 0, "\(echo.stderr)")
        JSONDocs.expectDocumented(lines: echo.stdout, section: "echo")
        let summary = try #require(echo.stdoutLines.last.flatMap(jsonObject))
        #expect(summary["requests"] as? Int == requested, "\(summary)")
        #expect(summary["replies"] as? Int == requested)
        #expect((summary["not_answered"] as? [String: Any])?["total"] as? Int == 0)
        #expect(summary["request_bytes"] as? Int == bytes)
        #expect(summary["reply_bytes"] as? Int == bytes)
        #expect(summary["gso_messages"] as? Int == gsoMessages, "\(summary)")
        #expect(gsoMessages >= 40)
        #expect(summary["gso_fallbacks"] as? Int == 0)
    }

    /// Several threads on an SO_REUSEPORT group, several clients: the account closes per line and in total.
    @Test func threadsOnAReusePortGroupAnswerEveryClient() throws {
        let (echo, address) = try Self.startEcho("127.0.0.1", ["--threads", "2", "--reuseport", "--interval", "0.05"])
        for _ in 0..<4 { #expect(try Self.pingPong(address, count: 100) == 100) }
        echo.send(SIGINT)
        #expect(echo.finish(within: 20) == 0, "\(echo.stderr)")
        let lines = echo.stdoutLines.compactMap(jsonObject)
        let summary = try #require(lines.last)
        #expect(summary["requests"] as? Int == 400, "\(summary)")
        #expect(summary["replies"] as? Int == 400)
        #expect((summary["threads"] as? [Int])?.reduce(0, +) == 400)
        let intervals = lines.filter { $0["type"] as? String == "interval" }
        #expect(intervals.reduce(0) { $0 + ($1["requests"] as? Int ?? 0) } == 400)
        #expect(intervals.reduce(0) { $0 + ($1["replies"] as? Int ?? 0) } == 400)
        #expect(summary["stop"] as? String == "signal")
    }

    /// A client mpps did not write: a Python script reflects through the echo and checks the bytes.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs /usr/bin/python3"))
    func aPythonClientGetsItsBytesBack() throws {
        let (echo, address) = try Self.startEcho("127.0.0.1", ["--count", "300"])
        let script = """
        import os, socket, sys
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(5)
        good = 0
        for i in range(300):
            data = os.urandom(i * 5 % 1500)
            s.sendto(data, ("127.0.0.1", \(address.port)))
            reply, peer = s.recvfrom(65536)
            good += reply == data and peer == ("127.0.0.1", \(address.port))
        print(good)
        """
        let client = try Program.run("/usr/bin/python3", ["-c", script])
        #expect(client.status == 0, "\(client.stderr)")
        #expect(client.stdout == "300\n")
        #expect(echo.finish(within: 20) == 0, "\(echo.stderr)")
        let summary = try #require(echo.stdoutLines.last.flatMap(jsonObject))
        #expect(summary["requests"] as? Int == 300)
        #expect(summary["replies"] as? Int == 300)
    }

    @Test func theLineForPeopleStatesTheAccount() throws {
        let echo = try Program("mpps", ["echo", "127.0.0.1:0", "--count", "10"])
        #expect(echo.waitFor(seconds: 10) { $0.stderr.contains("; Ctrl-C stops") }, "\(echo.stderr)")
        let port = try #require(echo.stderr.split(separator: ",").first?.split(separator: ":").last.flatMap { UInt16($0) })
        #expect(try Self.pingPong(SocketAddress(ipv4: 127, 0, 0, 1, port: port), count: 10) == 10)
        #expect(echo.finish(within: 20) == 0, "\(echo.stderr)")
        #expect(echo.stdout.contains("echo: 10 requests = 10 replies + 0 not answered (truncated 0, no source 0, no buffers 0, timed out 0, send errors 0); 0 dropped at the socket before being read\n"), "\(echo.stdout)")
    }

    /// A client mpps did not write, sockperf's ping-pong, against `mpps echo --sockperf`: it completes and reports latency.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sockperf")
                   && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs sockperf (apt-get install sockperf) and python3"))
    func sockperfPingPongCompletes() throws {
        let (echo, address) = try Self.startEcho("127.0.0.1", ["--sockperf"])
        // sockperf ends its run with a timer signal, which the test process's blocked mask would
        // hold back in the child: unblock everything, then become sockperf.
        let unblocked = ["/usr/bin/python3", "-c",
                         "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])"]
        let client = try Program.run("/usr/bin/sockperf", ["pp", "-i", "127.0.0.1", "-p", "\(address.port)", "-m", "32",
                                                          "-t", "2", "--mps", "2000", "--full-rtt"],
                                     prefix: unblocked, within: 60)
        let output = client.stdout + client.stderr
        #expect(client.status == 0, "\(output)")
        #expect(output.contains("percentile 50.000 ="), "\(output)")
        #expect(!output.contains("No messages were received"), "\(output)")
        echo.send(SIGINT)
        #expect(echo.finish(within: 20) == 0, "\(echo.stderr)")
        let summary = try #require(echo.stdoutLines.last.flatMap(jsonObject))
        let requests = try #require(summary["requests"] as? Int)
        let unasked = (summary["not_answered"] as? [String: Any])?["unasked"] as? Int ?? -1
        // Every request answered but those sockperf sent asking for none (its warm-up, say).
        #expect(summary["replies"] as? Int == requests - unasked, "\(summary)")
        #expect(requests > 100, "\(summary)")
    }
}
