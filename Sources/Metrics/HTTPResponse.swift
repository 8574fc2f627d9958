/// What the /metrics endpoint answers: a complete HTTP/1.1 response, always
/// with `Connection: close` (one request per connection keeps the server simple
/// and a scraper does not mind).
package enum HTTPResponse {
    /// The exposition format's content type (Prometheus text format 0.0.4).
    package static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The response to a head the parser accepted or refused, with `page`
    /// called only when the page itself is due.
    package static func bytes(for parse: HTTPRequest.Parse, page: () -> String) -> [UInt8] {
        switch parse {
        case .incomplete:
            return bytes(.requestTimeout)
        case .rejected(let status):
            return bytes(status)
        case .request(let request):
            let status = MetricsRoute.status(for: request)
            guard status == .ok else { return bytes(status) }
            return bytes(.ok, contentType: metricsContentType, body: page(), withBody: request.method != "HEAD")
        }
    }

    /// A response: the status line, the headers, and the body unless `withBody`
    /// is false (HEAD: the headers say what GET would send). An error's body
    /// is its explanation.
    package static func bytes(_ status: HTTPStatus, contentType: String = "text/plain; charset=utf-8",
                              body: String? = nil, withBody: Bool = true) -> [UInt8] {
        let content = Array((body ?? status.explanation + "\n").utf8)
        var head = "\(status.statusLine)\r\nContent-Type: \(contentType)\r\nContent-Length: \(content.count)\r\n"
        if status == .methodNotAllowed { head += "Allow: GET, HEAD\r\n" }
        head += "Connection: close\r\n\r\n"
        return Array(head.utf8) + (withBody ? content : [])
    }
}

/// Which requests get the page: GET or HEAD of /metrics (a query string is
/// ignored). Nothing a client sends ever names a file.
package enum MetricsRoute {
    /// The served path.
    package static let path = "/metrics"

    /// 200 for the page, else 405 for another method, 404 for another path.
    package static func status(for request: HTTPRequest) -> HTTPStatus {
        guard request.method == "GET" || request.method == "HEAD" else { return .methodNotAllowed }
        let path = request.target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return path == Self.path ? .ok : .notFound
    }
}
