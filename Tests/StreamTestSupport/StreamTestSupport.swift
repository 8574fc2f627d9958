import PacketIO

// Test-only: the plain blocking TCP client side the /metrics and serve tests
// write their requests with, once for every test target.

/// Writes all of `bytes` to a blocking stream socket; false when the peer is gone.
public func sendWhole(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let result = try? bytes.withUnsafeBytes { try Syscalls.sendStream(descriptor, UnsafeRawBufferPointer(rebasing: $0[offset...])) }
        guard case .done(let sent)? = result, sent > 0 else { return false }
        offset += sent
    }
    return true
}

/// One `recv` into `chunk`: the count (0 when the peer closed), nil when its
/// receive timeout passed or the connection failed.
public func receiveSome(_ descriptor: Int32, into chunk: inout [UInt8]) -> Int? {
    let result = chunk.withUnsafeMutableBytes { try? Syscalls.receive(descriptor, into: $0) }
    guard case .done(let count)? = result else { return nil }
    return count
}

extension String {
    /// The first line of an HTTP response.
    public var statusLine: String { split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? "" }
    /// What follows an HTTP response's head.
    public var body: String { firstRange(of: "\r\n\r\n").map { String(self[$0.upperBound...]) } ?? "" }
}
