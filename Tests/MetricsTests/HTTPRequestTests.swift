import Testing
@testable import Metrics

/// The request parser, input by input: what it accepts, what it refuses and with which status.
struct HTTPRequestTests {
    func parse(_ text: String) -> HTTPRequest.Parse { HTTPRequest.parse(Array(text.utf8)) }

    func status(_ text: String) -> String {
        switch parse(text) {
        case .incomplete: return "incomplete"
        case .rejected(let status): return status.statusLine
        case .request(let request): return MetricsRoute.status(for: request).statusLine
        }
    }

    @Test func aScrapersRequestIsAccepted() {
        let head = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9100\r\nUser-Agent: Prometheus/2.42.0\r\nAccept: text/plain;version=0.0.4\r\n\r\n"
        #expect(parse(head) == .request(HTTPRequest(method: "GET", target: "/metrics", version: "HTTP/1.1",
                                                    headers: [("Host", "127.0.0.1:9100"), ("User-Agent", "Prometheus/2.42.0"),
                                                              ("Accept", "text/plain;version=0.0.4")])))
        #expect(status(head) == "HTTP/1.1 200 OK")
    }

    @Test func bareLineFeedsAHeadQueryAndHTTP10AreAccepted() {
        #expect(status("GET /metrics HTTP/1.1\nHost: x\n\n") == "HTTP/1.1 200 OK")
        #expect(status("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n") == "HTTP/1.1 200 OK")
        #expect(status("GET /metrics?name[]=x HTTP/1.1\r\nHost: x\r\n\r\n") == "HTTP/1.1 200 OK")
        #expect(status("GET /metrics HTTP/1.0\r\n\r\n") == "HTTP/1.1 200 OK")
        #expect(status("\r\nGET /metrics HTTP/1.0\r\n\r\n") == "HTTP/1.1 200 OK")
    }

    @Test func partialHeadsAskForMore() {
        #expect(status("") == "incomplete")
        #expect(status("GET /met") == "incomplete")
        #expect(status("GET /metrics HTTP/1.1\r\nHost: x\r\n") == "incomplete")
    }

    @Test(arguments: [
        ("GET /metrics\r\n\r\n", "HTTP/1.1 400 Bad Request"),                         // no version
        ("GET  /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 Bad Request"),     // two spaces
        ("GET /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request"),                 // 1.1 without Host
        ("GET /metrics HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "HTTP/1.1 400 Bad Request"),
        ("GET /metrics HTTP/1.1\r\nHost x\r\n\r\n", "HTTP/1.1 400 Bad Request"),       // no colon
        ("GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n", "HTTP/1.1 400 Bad Request"),     // space before the colon
        ("GET /metrics HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", "HTTP/1.1 400 Bad Request"),
        ("GET /metrics HTTP/1.1\r\nHost: x\u{1}y\r\n\r\n", "HTTP/1.1 400 Bad Request"), // control byte in a value
        ("G(T /metrics HTTP/1.1\r\n", "HTTP/1.1 400 Bad Request"),                     // not a token
        ("GET /metrics HTTP/1.1 extra\r\n", "HTTP/1.1 400 Bad Request"),
        ("GET /metrics HTTQ/1.1\r\n", "HTTP/1.1 400 Bad Request"),
        ("\u{16}\u{3}\u{1}\u{2}", "HTTP/1.1 400 Bad Request"),                          // a TLS hello: refused at once
        ("GET /metrics HTTP/2.0\r\n", "HTTP/1.1 505 HTTP Version Not Supported"),
        ("POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 405 Method Not Allowed"),
        ("DELETE / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 405 Method Not Allowed"),
        ("GET / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404 Not Found"),
        ("GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404 Not Found"),
        ("GET /metrics/ HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404 Not Found"),
        ("GET /%6Detrics HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404 Not Found"),
        ("GET http://x/metrics HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404 Not Found"),
    ])
    func badRequestsGetTheirStatus(head: String, expected: String) {
        #expect(status(head) == expected)
    }

    @Test func aHeadBeyondTheLimitIsRefused() {
        let long = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Padding: " + String(repeating: "a", count: HTTPRequest.maximumHeadBytes)
        #expect(status(long) == "HTTP/1.1 431 Request Header Fields Too Large")
        // Exactly at the limit, complete: accepted.
        let prefix = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Padding: "
        let fits = prefix + String(repeating: "a", count: HTTPRequest.maximumHeadBytes - prefix.utf8.count - 4) + "\r\n\r\n"
        #expect(fits.utf8.count == HTTPRequest.maximumHeadBytes)
        #expect(status(fits) == "HTTP/1.1 200 OK")
        let many = "GET /metrics HTTP/1.1\r\nHost: x\r\n" + String(repeating: "A: b\r\n", count: HTTPRequest.maximumHeaderCount) + "\r\n"
        #expect(status(many) == "HTTP/1.1 431 Request Header Fields Too Large")
        let most = "GET /metrics HTTP/1.1\r\nHost: x\r\n" + String(repeating: "A: b\r\n", count: HTTPRequest.maximumHeaderCount - 1) + "\r\n"
        #expect(status(most) == "HTTP/1.1 200 OK")
    }

    @Test func responsesAreCompleteAndExact() {
        let notFound = String(decoding: HTTPResponse.bytes(.notFound), as: UTF8.self)
        #expect(notFound == "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 29\r\nConnection: close\r\n\r\nonly /metrics is served here\n")
        let head = HTTPResponse.bytes(for: parse("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), page: { "a 1\n" })
        #expect(String(decoding: head, as: UTF8.self) == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: 4\r\nConnection: close\r\n\r\n")
        let post = String(decoding: HTTPResponse.bytes(for: parse("POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), page: { "" }), as: UTF8.self)
        #expect(post.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n") && post.contains("\r\nAllow: GET, HEAD\r\n"))
    }
}
