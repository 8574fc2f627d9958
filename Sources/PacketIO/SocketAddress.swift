#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address with a UDP port, as the kernel takes it in `bind`,
/// `connect` and `sendmmsg`.
///
/// Parse one from text with ``init(parsing:)`` (`127.0.0.1:4321`, `[::1]:4321`,
/// `localhost:4321`, `:4321` for every local IPv4 address) and format it back
/// with ``description``.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address family.
    public enum Family: Sendable, Hashable, CustomStringConvertible {
        /// IPv4 (`AF_INET`).
        case inet
        /// IPv6 (`AF_INET6`).
        case inet6

        /// The `AF_*` constant.
        public var rawValue: Int32 { self == .inet ? AF_INET : AF_INET6 }

        /// `inet` or `inet6`, as `ip -family` names them (not the type's path).
        public var description: String { self == .inet ? "inet" : "inet6" }
    }

    enum Storage: Hashable, Sendable {
        case inet(host: UInt32, port: UInt16)  // both in host byte order
        case inet6(host: IPv6Bytes, port: UInt16, scope: UInt32)
    }

    /// The 16 bytes of an `in6_addr`, in network order, held without allocating.
    struct IPv6Bytes: Hashable, Sendable {
        var head: UInt64 = 0
        var tail: UInt64 = 0

        init(_ address: in6_addr) {
            // Safety: in6_addr is exactly 16 bytes, the size of this struct.
            withUnsafeMutableBytes(of: &self) { target in
                withUnsafeBytes(of: address) { target.copyMemory(from: $0) }
            }
        }

        var address: in6_addr {
            var result = in6_addr()
            withUnsafeMutableBytes(of: &result) { target in
                withUnsafeBytes(of: self) { target.copyMemory(from: $0) }
            }
            return result
        }
    }

    let storage: Storage

    /// An IPv4 address from four octets and a port.
    public init(ipv4 a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, port: UInt16) {
        storage = .inet(host: UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d), port: port)
    }

    /// The IPv6 loopback address `[::1]` with a port.
    public static func ipv6Loopback(port: UInt16) -> SocketAddress {
        var loopback = in6_addr()
        withUnsafeMutableBytes(of: &loopback) { $0[15] = 1 }
        return SocketAddress(storage: .inet6(host: IPv6Bytes(loopback), port: port, scope: 0))
    }

    /// Every local address of `family` (`0.0.0.0` or `[::]`) with a port.
    public static func wildcard(_ family: Family, port: UInt16) -> SocketAddress {
        family == .inet ? SocketAddress(ipv4: 0, 0, 0, 0, port: port)
            : SocketAddress(storage: .inet6(host: IPv6Bytes(in6_addr()), port: port, scope: 0))
    }

    init(storage: Storage) { self.storage = storage }

    /// Reads a `sockaddr_in` or `sockaddr_in6` written by the kernel.
    /// Returns nil for any other family.
    public init?(_ address: UnsafeRawPointer) {
        // Safety: every sockaddr starts with sa_family; the caller's buffer is a sockaddr_storage.
        let family = Int32(address.loadUnaligned(as: sa_family_t.self))
        switch family {
        case AF_INET:
            let v4 = address.loadUnaligned(as: sockaddr_in.self)
            storage = .inet(host: UInt32(bigEndian: v4.sin_addr.s_addr), port: UInt16(bigEndian: v4.sin_port))
        case AF_INET6:
            let v6 = address.loadUnaligned(as: sockaddr_in6.self)
            storage = .inet6(host: IPv6Bytes(v6.sin6_addr), port: UInt16(bigEndian: v6.sin6_port), scope: v6.sin6_scope_id)
        default:
            return nil
        }
    }

    /// Reads a `sockaddr_in` or `sockaddr_in6` from bytes that may be shorter
    /// than one (a control message's tail, say): nil unless `bytes` hold the
    /// whole structure its family names, and nil for any other family.
    package init?(sockaddrBytes bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= MemoryLayout<sa_family_t>.size else { return nil }
        let needed: Int
        switch Int32(bytes.loadUnaligned(as: sa_family_t.self)) {
        case AF_INET: needed = MemoryLayout<sockaddr_in>.size
        case AF_INET6: needed = MemoryLayout<sockaddr_in6>.size
        default: return nil
        }
        guard bytes.count >= needed, let base = bytes.baseAddress else { return nil }
        // Safety: the whole structure its family names lies inside `bytes`.
        self.init(base)
    }

    /// The address family.
    public var family: Family {
        if case .inet = storage { return .inet }
        return .inet6
    }

    /// The UDP port.
    public var port: UInt16 {
        switch storage {
        case .inet(_, let port), .inet6(_, let port, _): return port
        }
    }

    /// The same host with another port.
    public func withPort(_ port: UInt16) -> SocketAddress {
        switch storage {
        case .inet(let host, _): return SocketAddress(storage: .inet(host: host, port: port))
        case .inet6(let host, _, let scope): return SocketAddress(storage: .inet6(host: host, port: port, scope: scope))
        }
    }

    /// The largest UDP payload one datagram to this family can carry:
    /// 65507 bytes over IPv4, 65527 over IPv6.
    public var maximumPayload: Int { family == .inet ? 65507 : 65527 }

    /// The host part alone: `127.0.0.1`, `::1`.
    public var hostDescription: String {
        switch storage {
        case .inet(let host, _):
            return "\(host >> 24).\(host >> 16 & 0xff).\(host >> 8 & 0xff).\(host & 0xff)"
        case .inet6(let host, _, _):
            var address = host.address
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            // Safety: `text` has room for INET6_ADDRSTRLEN bytes, which inet_ntop needs at most.
            inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
            return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// `127.0.0.1:4321` or `[::1]:4321`.
    public var description: String {
        family == .inet ? "\(hostDescription):\(port)" : "[\(hostDescription)]:\(port)"
    }

    /// Writes this address as a `sockaddr_in` or `sockaddr_in6` at `target`
    /// and returns its length; `target` has room for a `sockaddr_in6`.
    @inline(__always)
    func write(to target: UnsafeMutableRawPointer) -> socklen_t {
        withUnsafeSockaddr { address, length in
            // Safety: the caller's room holds a sockaddr_in6, the larger of the two lengths.
            target.copyMemory(from: address, byteCount: Int(length))
            return length
        }
    }

    /// An IPv4 address from a control message: `s_addr` in network order, at `address`.
    static func ipv4(networkOrderAt address: UnsafeRawPointer, port: UInt16) -> SocketAddress {
        SocketAddress(storage: .inet(host: UInt32(bigEndian: address.loadUnaligned(as: UInt32.self)), port: port))
    }

    /// An IPv6 address from a control message: the 16 bytes of an `in6_addr` at `address`.
    static func ipv6(bytesAt address: UnsafeRawPointer, port: UInt16) -> SocketAddress {
        SocketAddress(storage: .inet6(host: IPv6Bytes(address.loadUnaligned(as: in6_addr.self)), port: port, scope: 0))
    }

    /// Calls `body` with this address as a `sockaddr` and its length.
    public func withUnsafeSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        switch storage {
        case .inet(let host, let port):
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            v4.sin_addr.s_addr = host.bigEndian
            // Safety: sockaddr_in is layout-compatible with the sockaddr prefix the kernel reads.
            return try withUnsafePointer(to: &v4) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    try body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        case .inet6(let host, let port, let scope):
            var v6 = sockaddr_in6()
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            v6.sin6_scope_id = scope
            v6.sin6_addr = host.address
            // Safety: as above, for sockaddr_in6.
            return try withUnsafePointer(to: &v6) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    try body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
    }
}

/// Why a text could not be read as an address.
public struct AddressError: Error, Equatable, CustomStringConvertible, Sendable {
    /// One line: what was wrong and what to write instead.
    public let description: String
}

extension SocketAddress {
    /// Parses `HOST:PORT`.
    ///
    /// HOST is an IPv4 address, a bracketed IPv6 address (`[::1]`), a name that
    /// is resolved once here with `getaddrinfo` (the first answer wins), or empty
    /// for the IPv4 wildcard `0.0.0.0`. PORT is 0–65535.
    public init(parsing text: String) throws(AddressError) {
        let (host, port) = try Self.split(text)
        if text.hasPrefix("[") {
            // Brackets mean an IPv6 literal and nothing else.
            guard let v6 = Self.numericIPv6(host) else {
                throw AddressError(description: "'\(host)' in '\(text)' is not an IPv6 address: brackets hold IPv6 only, as in [::1]:4321")
            }
            self.init(storage: .inet6(host: v6, port: port, scope: 0))
        } else if host.isEmpty {
            self.init(ipv4: 0, 0, 0, 0, port: port)
        } else if let v4 = Self.numericIPv4(host) {
            self.init(storage: .inet(host: v4, port: port))
        } else if let v6 = Self.numericIPv6(host) {
            self.init(storage: .inet6(host: v6, port: port, scope: 0))
        } else {
            self = try Self.resolve(host, port: port, original: text)
        }
    }

    static func split(_ text: String) throws(AddressError) -> (host: String, port: UInt16) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw AddressError(description: "missing ']' in '\(text)': write an IPv6 address as [::1]:4321")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), rest.count > 1 else {
                throw AddressError(description: "missing port in '\(text)': write [HOST]:PORT, for example [::1]:4321")
            }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw AddressError(description: "missing port in '\(text)': write HOST:PORT, for example 127.0.0.1:4321")
            }
            host = text[..<colon]
            if host.contains(":") {
                throw AddressError(description: "IPv6 address in '\(text)' needs brackets: write [\(host)]:\(text[text.index(after: colon)...])")
            }
            portText = text[text.index(after: colon)...]
            if portText.isEmpty {
                throw AddressError(description: "missing port in '\(text)': write HOST:PORT, for example 127.0.0.1:4321")
            }
        }
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw AddressError(description: "bad port '\(portText)' in '\(text)': a port is a number from 0 to 65535")
        }
        guard let port = UInt16(portText) else {
            throw AddressError(description: "port \(portText) in '\(text)' is out of range: a port is a number from 0 to 65535")
        }
        return (String(host), port)
    }

    static func numericIPv4(_ host: String) -> UInt32? {
        var address = in_addr()
        // inet_pton accepts only the dotted quad, unlike inet_aton's shorthand forms.
        guard inet_pton(AF_INET, host, &address) == 1 else { return nil }
        return UInt32(bigEndian: address.s_addr)
    }

    static func numericIPv6(_ host: String) -> IPv6Bytes? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, host, &address) == 1 else { return nil }
        return IPv6Bytes(address)
    }

    static func resolve(_ host: String, port: UInt16, original: String) throws(AddressError) -> SocketAddress {
        let resolved: SocketAddress?
        let reason: String
        do throws(ResolverError) {
            resolved = try Syscalls.firstAddress(of: host)
            reason = "no IPv4 or IPv6 address"
        } catch {
            resolved = nil
            reason = error.description
        }
        guard let resolved else {
            throw AddressError(description: "cannot resolve host '\(host)' in '\(original)' (\(reason)): use a numeric address such as 127.0.0.1")
        }
        return resolved.withPort(port)
    }
}
