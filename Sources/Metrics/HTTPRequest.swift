/// An HTTP/1.x request head as the /metrics endpoint reads it from a
/// stranger: a pure parser over the bytes received so far, with limits, that
/// says "more", a request, or the status to refuse it with. Never traps.
package struct HTTPRequest: Equatable, Sendable {
    /// The method, as sent (`GET`).
    package var method: String
    /// The request target, as sent (`/metrics?x=1`).
    package var target: String
    /// `HTTP/1.0` or `HTTP/1.1`.
    package var version: String
    /// Header fields, in order, names as sent.
    package var headers: [(name: String, value: String)]

    /// The request line and headers may not exceed this many bytes, the
    /// blank line included: a scraper sends a few hundred.
    package static let maximumHeadBytes = 8192
    /// Nor this many header fields.
    package static let maximumHeaderCount = 64

    /// What the bytes received so far amount to.
    package enum Parse: Equatable, Sendable {
        /// A head not yet complete: read more (unless a limit or the time is up).
        case incomplete
        /// A complete, well-formed head.
        case request(HTTPRequest)
        /// A head to refuse, with this status.
        case rejected(HTTPStatus)
    }

    /// Parses the head at the start of `bytes` (what follows it is ignored: a
    /// GET has no body this endpoint reads). Lines end with CRLF, or a bare LF
    /// (RFC 9112 §2.2 allows accepting it).
    package static func parse(_ bytes: [UInt8]) -> Parse {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index < bytes.count && index < maximumHeadBytes {
            if bytes[index] == newline {
                var line = bytes[start..<index]
                if line.last == carriageReturn { line = line.dropLast() }
                if lines.isEmpty, let problem = requestLineProblem(line) { return .rejected(problem) }
                if line.isEmpty {
                    // A blank line before the request line is tolerated (RFC 9112 §2.2); after it, it ends the head.
                    if lines.isEmpty { start = index + 1; index += 1; continue }
                    return finish(lines)
                }
                lines.append(line)
                if lines.count > maximumHeaderCount + 1 { return .rejected(.headersTooLarge) }
                start = index + 1
            }
            index += 1
        }
        // Reject a first line that cannot become a request as soon as it shows, not at the timeout.
        if lines.isEmpty, bytes[start..<index].contains(where: { !isRequestLineByte($0) }) { return .rejected(.badRequest) }
        return bytes.count >= maximumHeadBytes ? .rejected(.headersTooLarge) : .incomplete
    }

    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")

    /// Why a request line is refused, or nil: `METHOD SP TARGET SP HTTP/x.y`, single spaces.
    private static func requestLineProblem(_ line: ArraySlice<UInt8>) -> HTTPStatus? {
        if line.isEmpty { return nil }
        let parts = line.split(separator: space, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(isTokenByte),
              !parts[1].isEmpty, parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return .badRequest }
        let version = Array(parts[2])
        if version == Array("HTTP/1.1".utf8) || version == Array("HTTP/1.0".utf8) { return nil }
        // HTTP/2.0 and the like are HTTP, not garbage: a version we do not speak.
        let prefix = Array("HTTP/".utf8)
        if version.count == 8, Array(version[0..<5]) == prefix, isDigit(version[5]), version[6] == UInt8(ascii: "."), isDigit(version[7]) {
            return .versionNotSupported
        }
        return .badRequest
    }

    /// The request from its lines (the request line first, already checked).
    private static func finish(_ lines: [ArraySlice<UInt8>]) -> Parse {
        let parts = lines[0].split(separator: space, omittingEmptySubsequences: false)
        var request = HTTPRequest(method: String(decoding: parts[0], as: UTF8.self),
                                  target: String(decoding: parts[1], as: UTF8.self),
                                  version: String(decoding: parts[2], as: UTF8.self), headers: [])
        for line in lines.dropFirst() {
            // Folded lines (starting with white space) are obsolete and refused (RFC 9112 §5.2).
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                  line[line.startIndex..<colon].allSatisfy(isTokenByte),
                  line[(colon + 1)...].allSatisfy({ $0 == tab || $0 >= 0x20 && $0 != 0x7F }) else {
                return .rejected(.badRequest)
            }
            let value = line[(colon + 1)...].drop { $0 == space || $0 == tab }
            let trimmed = value.reversed().drop { $0 == space || $0 == tab }.reversed()
            request.headers.append((String(decoding: line[line.startIndex..<colon], as: UTF8.self),
                                    String(decoding: trimmed, as: UTF8.self)))
        }
        // HTTP/1.1 requires exactly one Host (RFC 9112 §3.2).
        if request.version == "HTTP/1.1" && request.headers.filter({ $0.name.lowercased() == "host" }).count != 1 {
            return .rejected(.badRequest)
        }
        return .request(request)
    }

    /// A `tchar` of RFC 9110 §5.6.2: what methods and header names are made of.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    /// A byte that can appear in a request line still arriving.
    private static func isRequestLineByte(_ byte: UInt8) -> Bool {
        byte == carriageReturn || (byte >= 0x20 && byte < 0x7F)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Two requests are equal when their method, target, version and headers are.
    package static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.target == rhs.target && lhs.version == rhs.version
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}
