/// The HTTP statuses the /metrics endpoint answers with.
package struct HTTPStatus: Equatable, Sendable {
    /// The three-digit code.
    package let code: Int
    /// The reason phrase of the status line.
    package let reason: String
    /// The one line of text the body of an error response carries: what was wrong and what to do.
    package let explanation: String

    /// The page itself.
    package static let ok = HTTPStatus(code: 200, reason: "OK", explanation: "")
    /// A request that is not HTTP/1.x as RFC 9112 writes it.
    package static let badRequest = HTTPStatus(code: 400, reason: "Bad Request",
                                                explanation: "not an HTTP/1.1 request: send 'GET /metrics HTTP/1.1' and a Host header")
    /// Any path but /metrics.
    package static let notFound = HTTPStatus(code: 404, reason: "Not Found", explanation: "only /metrics is served here")
    /// Any method but GET and HEAD.
    package static let methodNotAllowed = HTTPStatus(code: 405, reason: "Method Not Allowed",
                                                     explanation: "only GET and HEAD are allowed")
    /// A client that did not finish its request in time.
    package static let requestTimeout = HTTPStatus(code: 408, reason: "Request Timeout",
                                                   explanation: "the request did not arrive in time")
    /// A request line and headers beyond the limit.
    package static let headersTooLarge = HTTPStatus(code: 431, reason: "Request Header Fields Too Large",
                                                    explanation: "the request line and headers exceed \(HTTPRequest.maximumHeadBytes) bytes or \(HTTPRequest.maximumHeaderCount) headers")
    /// Another HTTP version.
    package static let versionNotSupported = HTTPStatus(code: 505, reason: "HTTP Version Not Supported",
                                                        explanation: "only HTTP/1.0 and HTTP/1.1 are spoken here")

    /// `HTTP/1.1 404 Not Found`.
    package var statusLine: String { "HTTP/1.1 \(code) \(reason)" }
}
