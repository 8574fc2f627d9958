#if canImport(Glibc)
import Glibc
#endif
import Testing
import Foundation
import Synchronization
import PacketIO
import StreamTestSupport
import Reporting
@testable import Metrics

/// The server on a real loopback socket: each bad input gets its exact status
/// line, and the server still serves afterwards.
struct MetricsServerTests {
    static let page = "mpps_test_total 7\n"
    static let good = "GET /metrics HTTP/1.1\r\nHost: test\r\n\r\n"

    /// A started server on 127.0.0.1 and a port the kernel chose, quick to time out.
    static func server(readSeconds: Double = 1) throws -> MetricsServer {
        var limits = MetricsServer.Limits()
        limits.readSeconds = readSeconds
        let server = try MetricsServer(listen: SocketAddress(parsing: "127.0.0.1:0"), limits: limits)
        try server.start { Self.page }
        return server
    }

    static func servesThePage(_ server: MetricsServer) throws -> Bool {
        let response = try HTTPClient.exchange(server.address, good)
        return response == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: 18\r\nConnection: close\r\n\r\n" + page
    }

    @Test func aGoodRequestGetsThePage() throws {
        let server = try Self.server()
        #expect(try Self.servesThePage(server))
        let head = try HTTPClient.exchange(server.address, "HEAD /metrics HTTP/1.0\r\n\r\n")
        #expect(head == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: 18\r\nConnection: close\r\n\r\n")
    }

    @Test(.enabled(if: CPUList.allowed().cpus.count >= 2, "needs two CPUs"))
    func thePoolKeepsOffTheReceivingThreadsCPUs() throws {
        let busy = CPUList.allowed().cpus[0]
        let server = try MetricsServer(listen: SocketAddress(parsing: "127.0.0.1:0"))
        // The page says which CPUs the pool thread answering may run on.
        try server.start(avoiding: [busy]) {
            let status = (try? String(contentsOfFile: "/proc/thread-self/status", encoding: .utf8)) ?? ""
            return status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }.map { $0.split(separator: "\t").last.map(String.init) ?? "" } ?? "?"
        }
        let others = CPUList(CPUList.allowed().cpus.filter { $0 != busy })
        for _ in 0..<4 {
            #expect(try HTTPClient.exchange(server.address, Self.good).body == others.description)
        }
    }

    @Test func itListensOnIPv6Too() throws {
        let server = try MetricsServer(listen: SocketAddress(parsing: "[::1]:0"))
        try server.start { Self.page }
        #expect(server.address.description.hasPrefix("[::1]:"))
        #expect(try Self.servesThePage(server))
    }

    @Test(arguments: [
        ("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", "HTTP/1.1 405 Method Not Allowed"),
        ("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404 Not Found"),
        ("GET /../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404 Not Found"),
        ("hello there\r\n\r\n", "HTTP/1.1 400 Bad Request"),
        ("\u{16}\u{3}\u{1}\u{0}\u{a5}\u{1}", "HTTP/1.1 400 Bad Request"),
        ("GET /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request"),
        ("GET /metrics HTTP/3.0\r\nHost: x\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported"),
    ])
    func aBadRequestGetsItsStatusAndTheServerServesOn(request: String, status: String) throws {
        let server = try Self.server()
        let response = try HTTPClient.exchange(server.address, request)
        #expect(response.statusLine == status, "\(response)")
        #expect(try Self.servesThePage(server))
    }

    @Test func anOversizedHeadGets431AndTheResponseIsNotLostToAReset() throws {
        let server = try Self.server()
        let client = try HTTPClient(server.address)
        defer { client.close() }
        // 20 KiB of headers: the server answers at 8 KiB and drains the rest before closing.
        _ = client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n" + String(repeating: "X-Filler: 0123456789abcdef\r\n", count: 700) + "\r\n")
        let response = client.readAll()
        #expect(response.statusLine == "HTTP/1.1 431 Request Header Fields Too Large", "\(response.prefix(200))")
        #expect(response.body == "the request line and headers exceed 8192 bytes or 64 headers\n")
        #expect(try Self.servesThePage(server))
    }

    @Test func aClientThatNeverSpeaksIsDroppedWithin408() throws {
        let server = try Self.server(readSeconds: 1)
        let start = MonotonicClock.now()
        let silent = try HTTPClient(server.address)
        defer { silent.close() }
        let response = silent.readAll()
        let seconds = Double(MonotonicClock.now() - start) / 1e9
        #expect(response.statusLine == "HTTP/1.1 408 Request Timeout")
        #expect(seconds >= 0.9 && seconds < 3, "dropped after \(seconds) s")
        // A client that stops half-way through its head is dropped the same way.
        let halfway = try HTTPClient(server.address)
        defer { halfway.close() }
        _ = halfway.send("GET /metr")
        #expect(halfway.readAll().statusLine == "HTTP/1.1 408 Request Timeout")
        #expect(try Self.servesThePage(server))
    }

    @Test func aClientDrippingItsHeadIsDroppedAtTheDeadlineToo() throws {
        let server = try Self.server(readSeconds: 1)
        let dripping = try HTTPClient(server.address)
        defer { dripping.close() }
        try Syscalls.setOption(dripping.descriptor, SOL_SOCKET, SO_RCVTIMEO, timeval(tv_sec: 0, tv_usec: 10_000), "setsockopt(SO_RCVTIMEO)")
        let start = MonotonicClock.now()
        // A byte every 20 ms, faster than the server's read wake-up, until the answer comes (at most 4 s):
        // the deadline is the whole head's, so it comes after about 1 s, while the client still drips.
        var first: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        for byte in Array("GET /metrics HTTP/1.1\r\nX-Slow: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 200) {
            _ = dripping.send([byte])
            if let count = receiveSome(dripping.descriptor, into: &chunk), count > 0 { first = Array(chunk[0..<count]); break }
            usleep(20_000)
            if Double(MonotonicClock.now() - start) / 1e9 > 4 { break }
        }
        let seconds = Double(MonotonicClock.now() - start) / 1e9
        try Syscalls.setOption(dripping.descriptor, SOL_SOCKET, SO_RCVTIMEO, timeval(tv_sec: 5, tv_usec: 0), "setsockopt(SO_RCVTIMEO)")
        let response = String(decoding: first, as: UTF8.self) + dripping.readAll()
        #expect(response.statusLine == "HTTP/1.1 408 Request Timeout", "\(response)")
        // (The server that restarts its deadline at each byte answers after the loop's 4 s or never.)
        #expect(seconds >= 0.9 && seconds < 3.5, "answered after \(seconds) s")
        #expect(try Self.servesThePage(server))
    }

    @Test func silentClientsHoldingEveryThreadOnlyDelayTheScrape() throws {
        let server = try Self.server(readSeconds: 1)
        let silent = try (0..<MetricsServer.Limits().connections + 2).map { _ in try HTTPClient(server.address) }
        defer { for client in silent { client.close() } }
        usleep(100_000)
        let start = MonotonicClock.now()
        #expect(try Self.servesThePage(server))
        let seconds = Double(MonotonicClock.now() - start) / 1e9
        // At most two rounds of the 1 s deadline for the six silent ones ahead of it on four threads.
        #expect(seconds < 4, "served after \(seconds) s")
    }

    @Test func stopReturnsPromptlyWithAClientConnected() throws {
        let server = try Self.server(readSeconds: 30)
        let silent = try HTTPClient(server.address)
        defer { silent.close() }
        usleep(100_000)
        let start = MonotonicClock.now()
        server.stop()
        let seconds = Double(MonotonicClock.now() - start) / 1e9
        #expect(seconds < 5, "stop took \(seconds) s")  // not the client's 30 s deadline
        // The listener is closed: nobody answers any more.
        #expect(throws: SocketError.self) { _ = try HTTPClient(server.address) }
    }

    @Test func bindErrorsAreOneLine() throws {
        let first = try MetricsServer(listen: SocketAddress(parsing: "127.0.0.1:0"))
        let taken = first.address
        #expect(throws: RunError("--metrics: cannot listen on \(taken): address already in use (another program holds it: choose another port)")) {
            _ = try MetricsServer(listen: taken)
        }
        #expect(throws: RunError("--metrics: cannot listen on 192.0.2.1:9321: no local interface has that address (use 127.0.0.1, 0.0.0.0, or an address 'ip addr' lists)")) {
            _ = try MetricsServer(listen: SocketAddress(parsing: "192.0.2.1:9321"))
        }
    }
}
