#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Testing

/// QueuedSocketError.parse on hand-built control areas, as recvmsg(MSG_ERRQUEUE)
/// fills them (cmsghdr, then sock_extended_err, then the offender's sockaddr):
/// whole entries read exactly, cut or foreign ones give nil or no offender.
@Suite struct QueuedSocketErrorParsingTests {
    /// One control message: header (size_t length, level, type), `data`, padding to 8.
    func message(level: Int32, type: Int32, _ data: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt(16 + data.count).littleEndian) { bytes += $0 }
        withUnsafeBytes(of: level.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: type.littleEndian) { bytes += $0 }
        bytes += data
        bytes += [UInt8](repeating: 0, count: (8 - bytes.count % 8) % 8)
        return bytes
    }

    /// A `sock_extended_err`: errno, origin, type, code, pad, info, data.
    func extendedError(errno: Int32, origin: UInt8, type: UInt8, code: UInt8, info: UInt32) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt32(errno).littleEndian) { bytes += $0 }
        bytes += [origin, type, code, 0]
        withUnsafeBytes(of: info.littleEndian) { bytes += $0 }
        bytes += [0, 0, 0, 0]
        return bytes
    }

    /// The bytes of `address` as a sockaddr_in or sockaddr_in6.
    func sockaddr(_ address: SocketAddress) -> [UInt8] {
        address.withUnsafeSockaddr { pointer, length in Array(UnsafeRawBufferPointer(start: pointer, count: Int(length))) }
    }

    func parse(_ control: [UInt8], name: [UInt8] = []) -> QueuedSocketError? {
        control.withUnsafeBytes { control in name.withUnsafeBytes { QueuedSocketError.parse(control: control, name: $0) } }
    }

    let target = SocketAddress(ipv4: 127, 0, 0, 1, port: 4321)
    let router = SocketAddress(ipv4: 127, 0, 0, 2, port: 0)

    @Test func anIPv4PortUnreachableReadsWhole() {
        let data = extendedError(errno: ECONNREFUSED, origin: 2, type: 3, code: 3, info: 0) + sockaddr(router)
        let entry = parse(message(level: Int32(IPPROTO_IP), type: IP_RECVERR, data), name: sockaddr(target))
        #expect(entry == QueuedSocketError(errno: .connectionRefused, origin: .icmp, type: 3, code: 3, info: 0,
                                           destination: target, offender: router))
    }

    @Test func anIPv6EntryAfterAnotherMessageIsFound() {
        let destination = SocketAddress.ipv6Loopback(port: 53)
        let data = extendedError(errno: EHOSTUNREACH, origin: 3, type: 1, code: 3, info: 0) + sockaddr(.ipv6Loopback(port: 0))
        let control = message(level: Int32(IPPROTO_IPV6), type: 50, [UInt8](repeating: 7, count: 20))
            + message(level: Int32(IPPROTO_IPV6), type: IPV6_RECVERR, data)
        let entry = parse(control, name: sockaddr(destination))
        #expect(entry == QueuedSocketError(errno: .hostUnreachable, origin: .icmp6, type: 1, code: 3, info: 0,
                                           destination: destination, offender: .ipv6Loopback(port: 0)))
    }

    /// A local error (EMSGSIZE with the MTU in ee_info) has an AF_UNSPEC offender: none.
    @Test func aLocalErrorHasNoOffender() {
        let data = extendedError(errno: EMSGSIZE, origin: 1, type: 0, code: 0, info: 1500) + [UInt8](repeating: 0, count: 16)
        let entry = parse(message(level: Int32(IPPROTO_IP), type: IP_RECVERR, data), name: sockaddr(target))
        #expect(entry == QueuedSocketError(errno: .messageTooLong, origin: .local, type: 0, code: 0, info: 1500,
                                           destination: target, offender: nil))
        #expect(entry?.description == "message too long (local) sending to 127.0.0.1:4321")
    }

    @Test func cutOrForeignAreasGiveNilOrLess() {
        let whole = extendedError(errno: ECONNREFUSED, origin: 2, type: 3, code: 3, info: 0) + sockaddr(router)
        // No error message at all, or one of another level or type.
        #expect(parse([]) == nil)
        #expect(parse(message(level: Int32(IPPROTO_IP), type: IP_RECVERR + 1, whole)) == nil)
        #expect(parse(message(level: SOL_SOCKET, type: IP_RECVERR, whole)) == nil)
        // Data shorter than a sock_extended_err.
        #expect(parse(message(level: Int32(IPPROTO_IP), type: IP_RECVERR, Array(whole.prefix(15)))) == nil)
        // An offender cut short (a sockaddr_in needs 16 bytes; a family byte pair alone is not one).
        let cut = parse(message(level: Int32(IPPROTO_IP), type: IP_RECVERR, Array(whole.prefix(16 + 15))))
        #expect(cut?.offender == nil && cut?.errno == .connectionRefused)
        let familyOnly = parse(message(level: Int32(IPPROTO_IP), type: IP_RECVERR, Array(whole.prefix(16 + 2))))
        #expect(familyOnly?.offender == nil && familyOnly?.type == 3)
        // An AF_INET6 family with only a sockaddr_in's bytes after it.
        var six = sockaddr(.ipv6Loopback(port: 0))
        six.removeLast(12)
        let short6 = parse(message(level: Int32(IPPROTO_IPV6), type: IPV6_RECVERR,
                                   extendedError(errno: ECONNREFUSED, origin: 3, type: 1, code: 4, info: 0) + six))
        #expect(short6?.offender == nil && short6?.code == 4)
        // A name the kernel did not fill, or filled with an unknown family.
        #expect(parse(message(level: Int32(IPPROTO_IP), type: IP_RECVERR, whole), name: [])?.destination == nil)
        #expect(parse(message(level: Int32(IPPROTO_IP), type: IP_RECVERR, whole), name: [1, 0] + [UInt8](repeating: 0, count: 14))?.destination == nil)
        #expect(parse(message(level: Int32(IPPROTO_IP), type: IP_RECVERR, whole), name: Array(sockaddr(target).prefix(15)))?.destination == nil)
    }

    @Test func originsDescribeThemselves() {
        #expect(QueuedSocketError.Origin.local.description == "local")
        #expect(QueuedSocketError.Origin.icmp.description == "icmp")
        #expect(QueuedSocketError.Origin.icmp6.description == "icmp6")
        #expect(QueuedSocketError.Origin(rawValue: 4).description == "origin 4")
    }
}
