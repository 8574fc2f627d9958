// HTTPRequest.parse (the /metrics endpoint reads a stranger's request head with
// it) and the response built from what it returns: no trap; a head still
// incomplete is under the size limit; every response is one complete HTTP/1.1
// message whose Content-Length is its body's length.
import Metrics

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(FuzzInput(data, size).bytes)
    let parse = HTTPRequest.parse(bytes)
    if parse == .incomplete {
        require(bytes.count < HTTPRequest.maximumHeadBytes, "a head of \(bytes.count) bytes is still incomplete")
    }
    if case .request(let request) = parse {
        require(!request.method.isEmpty && !request.target.isEmpty, "a request has a method and a target")
        require(request.headers.count <= HTTPRequest.maximumHeaderCount, "at most \(HTTPRequest.maximumHeaderCount) headers")
    }
    let response = String(decoding: HTTPResponse.bytes(for: parse, page: { "mpps_fuzz_total 1\n" }), as: UTF8.self)
    require(response.hasPrefix("HTTP/1.1 "), "a response starts with its status line")
    let parts = response.split(separator: "\r\n\r\n", maxSplits: 1, omittingEmptySubsequences: false)
    require(parts.count == 2, "a response has a head and a body")
    let length = parts[0].split(separator: "\r\n").first { $0.hasPrefix("Content-Length: ") }
        .flatMap { Int($0.dropFirst("Content-Length: ".count)) }
    let isHead: Bool
    if case .request(let request) = parse { isHead = request.method == "HEAD" } else { isHead = false }
    require(length != nil, "a response says its length")
    require(isHead || length == parts[1].utf8.count, "Content-Length \(length ?? -1) is the body's \(parts[1].utf8.count) bytes")
    return 0
}
