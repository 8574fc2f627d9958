#if canImport(Glibc)
import Glibc
#endif

// A stand-in resolver for the fuzz binaries. `SocketAddress(parsing:)` hands host names
// to `getaddrinfo`; asking the real resolver once per input would make runs slow and
// their outcome depend on the network and /etc/hosts. These definitions in the
// executable take the place of glibc's: `localhost` resolves to 127.0.0.1 and every
// other name fails with EAI_NONAME, so both of the parser's paths stay reachable.

@_cdecl("getaddrinfo")
func fuzzGetaddrinfo(_ node: UnsafePointer<CChar>?, _ service: UnsafePointer<CChar>?,
                     _ hints: UnsafePointer<addrinfo>?,
                     _ result: UnsafeMutablePointer<UnsafeMutablePointer<addrinfo>?>?) -> Int32 {
    guard let node, let result, String(cString: node) == "localhost" else { return EAI_NONAME }
    // Safety: one block holds the addrinfo and its sockaddr_in; fuzzFreeaddrinfo frees it.
    let size = MemoryLayout<addrinfo>.stride + MemoryLayout<sockaddr_in>.size
    guard let block = calloc(1, size) else { return EAI_MEMORY }
    let info = block.bindMemory(to: addrinfo.self, capacity: 1)
    let address = (block + MemoryLayout<addrinfo>.stride).bindMemory(to: sockaddr_in.self, capacity: 1)
    address.pointee.sin_family = sa_family_t(AF_INET)
    address.pointee.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    info.pointee.ai_family = AF_INET
    info.pointee.ai_socktype = Int32(SOCK_DGRAM.rawValue)
    info.pointee.ai_addrlen = socklen_t(MemoryLayout<sockaddr_in>.size)
    info.pointee.ai_addr = UnsafeMutableRawPointer(address).assumingMemoryBound(to: sockaddr.self)
    result.pointee = info
    return 0
}

@_cdecl("freeaddrinfo")
func fuzzFreeaddrinfo(_ list: UnsafeMutablePointer<addrinfo>?) {
    free(list)
}
