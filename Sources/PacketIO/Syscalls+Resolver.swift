#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

/// Why a name did not resolve: the resolver's `EAI_…` code and its text.
package struct ResolverError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The `getaddrinfo` result (`EAI_NONAME`, `EAI_AGAIN`, …), negative on Linux.
    package let code: Int32
    /// The C library's text for it ("Name or service not known").
    package var description: String { String(cString: gai_strerror(code)) }
}

// Names to addresses, for HOST:PORT arguments that are not numeric.
extension Syscalls {
    /// The first IPv4 or IPv6 address `host` resolves to (port 0); nil when it
    /// resolves to neither family. In debug builds ``FaultInjection`` can fail
    /// it: the armed code is taken as the `EAI_…` result (`EAI_AGAIN`, say).
    /// The corresponding C functions are `getaddrinfo(3)` and `freeaddrinfo(3)`.
    package static func firstAddress(of host: String) throws(ResolverError) -> SocketAddress? {
        #if DEBUG
        if let code = FaultInjection.take(.getaddrinfo, descriptor: -1) { throw ResolverError(code: code) }
        #endif
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &list)
        defer { if let list { freeaddrinfo(list) } }
        guard rc == 0 else { throw ResolverError(code: rc) }
        guard let address = list?.pointee.ai_addr else { return nil }
        return SocketAddress(UnsafeRawPointer(address))
    }
}
