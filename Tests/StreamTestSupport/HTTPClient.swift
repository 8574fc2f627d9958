#if canImport(Glibc)
import Glibc
#endif
import PacketIO

/// A plain TCP client for the tests: connects, sends bytes, reads to the end.
public struct HTTPClient {
    public let descriptor: Int32

    /// Connects to `address` (the server's listen queue takes it even while its threads are busy).
    public init(_ address: SocketAddress, receiveSeconds: Int = 10) throws {
        descriptor = try Syscalls.socket(domain: address.family == .inet ? AF_INET : AF_INET6,
                                         type: Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
        do {
            try Syscalls.setOption(descriptor, SOL_SOCKET, SO_RCVTIMEO, timeval(tv_sec: receiveSeconds, tv_usec: 0), "setsockopt(SO_RCVTIMEO)")
            try Syscalls.connect(descriptor, to: address)
        } catch {
            Syscalls.close(descriptor)
            throw error
        }
    }

    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) -> Bool { sendWhole(descriptor, bytes) }

    /// Everything until the server closes (or the receive timeout passes, or a reset).
    public func readAll() -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            guard let count = receiveSome(descriptor, into: &chunk), count > 0 else { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func close() { Syscalls.close(descriptor) }

    /// Sends `request`, reads the whole response, closes.
    public static func exchange(_ address: SocketAddress, _ request: String) throws -> String {
        let client = try HTTPClient(address)
        defer { client.close() }
        _ = client.send(request)
        return client.readAll()
    }
}
