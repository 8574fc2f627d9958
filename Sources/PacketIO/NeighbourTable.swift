#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

/// The kernel's neighbour table (ARP for IPv4, neighbour discovery for IPv6), read
/// through an rtnetlink `RTM_GETNEIGH` dump: the link-layer address a frame to a
/// host on the link must carry, for a sender that writes whole frames (``XDPTransmitSocket``).
/// Linux 2.2 or later.
public enum NeighbourTable {
    /// One usable entry: an address on an interface and its link-layer address.
    public struct Entry: Equatable, Sendable {
        /// The interface the neighbour is on.
        public let interfaceIndex: UInt32
        /// The neighbour's 4 or 16 address bytes, network order.
        public let address: [UInt8]
        /// Its link-layer address.
        public let linkAddress: MACAddress
    }

    /// The link-layer address the table holds for `address` on interface `interfaceIndex`;
    /// nil when it has no usable entry (none, or one still incomplete or failed).
    /// The corresponding C functions are `socket(2)` (`AF_NETLINK`, `NETLINK_ROUTE`), `send(2)` and `recv(2)`.
    public static func linkAddress(of address: SocketAddress, interfaceIndex: UInt32) throws(SocketError) -> MACAddress? {
        let wanted = address.networkBytes
        return try entries(family: address.family).first { $0.interfaceIndex == interfaceIndex && $0.address == wanted }?.linkAddress
    }

    /// Every usable entry of `family`.
    public static func entries(family: SocketAddress.Family) throws(SocketError) -> [Entry] {
        let descriptor = try Syscalls.socket(domain: CMPPSLinux_AF_NETLINK, type: Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                                             protocol: CMPPSLinux_NETLINK_ROUTE)
        defer { Syscalls.close(descriptor) }
        // The kernel answers a dump at once; the timeout only guards against a kernel that never does.
        try Syscalls.setOption(descriptor, SOL_SOCKET, SO_RCVTIMEO, timeval(tv_sec: 2, tv_usec: 0), "setsockopt(SO_RCVTIMEO)")
        // Raw buffers rather than arrays: their closures rethrow untyped errors.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 * 1024, alignment: 8)
        defer { buffer.deallocate() }
        let request = dumpRequest(family: family)
        buffer.copyBytes(from: request)
        _ = try Syscalls.send(descriptor, UnsafeRawBufferPointer(rebasing: buffer[..<request.count]))
        var found: [Entry] = []
        while true {
            guard case .done(let length) = try Syscalls.receive(descriptor, into: buffer), length > 0 else {
                throw SocketError("recv(NETLINK_ROUTE)", code: EAGAIN)
            }
            let part = parse(UnsafeRawBufferPointer(rebasing: buffer[..<length]))
            found += part.entries
            if let code = part.error, code != 0 { throw SocketError("RTM_GETNEIGH", code: code) }
            if part.done { return found }
        }
    }

    /// An `RTM_GETNEIGH` dump request: a netlink header (16 bytes) and a `struct ndmsg` (12) naming the family.
    static func dumpRequest(family: SocketAddress.Family) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 28)
        bytes.withUnsafeMutableBytes { message in
            message.storeBytes(of: UInt32(28), toByteOffset: 0, as: UInt32.self)
            message.storeBytes(of: CMPPSLinux_RTM_GETNEIGH, toByteOffset: 4, as: UInt16.self)
            message.storeBytes(of: CMPPSLinux_NLM_F_REQUEST | CMPPSLinux_NLM_F_DUMP, toByteOffset: 6, as: UInt16.self)
            message.storeBytes(of: UInt32(1), toByteOffset: 8, as: UInt32.self)                // sequence
            message.storeBytes(of: UInt8(truncatingIfNeeded: family.rawValue), toByteOffset: 16, as: UInt8.self)
        }
        return bytes
    }

    /// What one buffer of a dump holds: its usable entries, whether the dump is over
    /// (`NLMSG_DONE`), and the kernel's error for the request (`NLMSG_ERROR`, a positive errno).
    /// The buffer is checked as hostile input: every length against the bytes that are there.
    package static func parse(_ buffer: UnsafeRawBufferPointer) -> (entries: [Entry], done: Bool, error: Int32?) {
        var entries: [Entry] = []
        var offset = 0
        while buffer.count - offset >= 16 {
            let length = Int(buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            guard length >= 16, length <= buffer.count - offset else { break }
            let type = buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self)
            let body = UnsafeRawBufferPointer(rebasing: buffer[(offset + 16)..<(offset + length)])
            switch type {
            case CMPPSLinux_NLMSG_DONE:
                return (entries, true, nil)
            case CMPPSLinux_NLMSG_ERROR:
                let code = body.count >= 4 ? body.loadUnaligned(as: Int32.self) : -EPROTO
                return (entries, true, code == Int32.min ? EPROTO : -code)
            case CMPPSLinux_RTM_NEWNEIGH:
                if let entry = entry(body) { entries.append(entry) }
            default:
                break
            }
            offset += (length + 3) & ~3
        }
        return (entries, false, nil)
    }

    /// The entry a `struct ndmsg` and its attributes describe; nil when it is not usable.
    static func entry(_ body: UnsafeRawBufferPointer) -> Entry? {
        guard body.count >= 12 else { return nil }
        let interfaceIndex = body.loadUnaligned(fromByteOffset: 4, as: Int32.self)
        let state = body.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
        guard interfaceIndex > 0, state & CMPPSLinux_NUD_UNUSABLE == 0 else { return nil }
        var address: [UInt8]?
        var link: MACAddress?
        var offset = 12
        while body.count - offset >= 4 {
            let length = Int(body.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            let type = body.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self)
            guard length >= 4, length <= body.count - offset else { break }
            let value = UnsafeRawBufferPointer(rebasing: body[(offset + 4)..<(offset + length)])
            if type == CMPPSLinux_NDA_DST && (value.count == 4 || value.count == 16) { address = Array(value) }
            if type == CMPPSLinux_NDA_LLADDR { link = MACAddress(bytes: value) }
            offset += (length + 3) & ~3
        }
        guard let address, let link else { return nil }
        return Entry(interfaceIndex: UInt32(interfaceIndex), address: address, linkAddress: link)
    }
}

extension SocketAddress {
    /// The address's 4 or 16 bytes, in network order.
    var networkBytes: [UInt8] {
        switch storage {
        case .inet(let host, _):
            return withUnsafeBytes(of: host.bigEndian) { Array($0) }
        case .inet6(let host, _, _):
            return withUnsafeBytes(of: host) { Array($0) }
        }
    }
}
