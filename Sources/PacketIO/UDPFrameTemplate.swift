/// The Ethernet, IP and UDP headers of one flow's frames, built once, for a sender
/// that writes whole frames itself (``XDPTransmitSocket``): every frame of a flow
/// has the same headers and a payload of the same length, and only the first bytes
/// of the payload (a ``SequenceHeader``) change from one frame to the next.
///
/// ``write(to:)`` writes a whole frame with an all-zero payload and its checksums;
/// after the first bytes of the payload change, ``updateChecksum(_:changedBytes:)``
/// makes the UDP checksum right again from a sum kept here (RFC 1071: the sum of the
/// fixed part once, the changed words per frame). IPv4 frames carry a header checksum
/// and a UDP checksum (never the "none" of 0), IPv6 frames the UDP checksum they must.
/// The IPv4 header sets Don't Fragment, identification 0 and TTL 64; the IPv6 header
/// a hop limit of 64, no traffic class and no flow label.
public struct UDPFrameTemplate: Sendable {
    /// The sender's address and port (the IP source and UDP source port).
    public let source: SocketAddress
    /// Where the frames go.
    public let destination: SocketAddress
    /// UDP payload bytes per frame.
    public let payloadLength: Int
    /// Where the payload starts in a frame: 42 over IPv4, 62 over IPv6.
    public let payloadOffset: Int
    /// The whole frame's length (no Ethernet padding or FCS: the device adds them).
    public var frameLength: Int { payloadOffset + payloadLength }
    /// The headers, `payloadOffset` bytes, in network order.
    private let headers: [UInt8]
    /// Where the UDP header starts: 34 over IPv4, 54 over IPv6.
    @usableFromInline let udpOffset: Int
    /// The ones'-complement sum, not yet folded, of the pseudo-header and the UDP header
    /// (checksum 0), as 16-bit words loaded in this machine's byte order (RFC 1071 § 2 B:
    /// the sum comes out in the order its words went in).
    @usableFromInline let fixedSum: UInt64

    /// The headers for datagrams of `payloadLength` bytes from `source` to `destination`
    /// in frames from `sourceMAC` to `destinationMAC`.
    /// - Precondition: both addresses of one family, and `payloadLength` no more than it carries.
    public init(source: SocketAddress, destination: SocketAddress, sourceMAC: MACAddress, destinationMAC: MACAddress,
                payloadLength: Int) {
        precondition(source.family == destination.family, "a frame's addresses must be of one family")
        precondition(payloadLength >= 0 && payloadLength <= destination.maximumPayload, "payload too long for one datagram")
        self.source = source
        self.destination = destination
        self.payloadLength = payloadLength
        let isIPv6 = destination.family == .inet6
        let udpOffset = isIPv6 ? 54 : 34
        self.udpOffset = udpOffset
        payloadOffset = udpOffset + 8
        let udpLength = 8 + payloadLength
        var bytes = [UInt8](repeating: 0, count: udpOffset + 8)
        bytes.withUnsafeMutableBytes { frame in
            let base = frame.baseAddress!
            destinationMAC.write(to: base)
            sourceMAC.write(to: base + 6)
            Self.storeBig16(isIPv6 ? 0x86dd : 0x0800, base, 12)
            if isIPv6 {
                Self.writeIPv6(base + 14, source: source, destination: destination, udpLength: udpLength)
            } else {
                Self.writeIPv4(base + 14, source: source, destination: destination, udpLength: udpLength)
            }
            Self.storeBig16(source.port, base, udpOffset)
            Self.storeBig16(destination.port, base, udpOffset + 2)
            Self.storeBig16(UInt16(truncatingIfNeeded: udpLength), base, udpOffset + 4)
        }
        headers = bytes
        fixedSum = Self.pseudoHeaderSum(source: source, destination: destination, udpLength: udpLength)
            &+ bytes.withUnsafeBytes { Self.wordSum(UnsafeRawBufferPointer(rebasing: $0[(udpOffset)..<(udpOffset + 8)])) }
    }

    /// Writes a whole frame at `frame` (``frameLength`` bytes): the headers, an all-zero
    /// payload, and the checksums for it.
    public func write(to frame: UnsafeMutableRawPointer) {
        headers.withUnsafeBytes { frame.copyMemory(from: $0.baseAddress!, byteCount: payloadOffset) }
        (frame + payloadOffset).initializeMemory(as: UInt8.self, repeating: 0, count: payloadLength)
        updateChecksum(frame, changedBytes: 0)
    }

    /// Writes the UDP checksum of a frame ``write(to:)`` wrote and whose payload then
    /// changed in its first `changedBytes` bytes only (the rest still zero).
    /// - Precondition: `changedBytes` even and no more than the payload.
    @inlinable @inline(__always)
    public func updateChecksum(_ frame: UnsafeMutableRawPointer, changedBytes: Int) {
        precondition(changedBytes & 1 == 0 && changedBytes >= 0 && changedBytes <= payloadLength,
                     "the changed part of a payload must be whole 16-bit words inside it")
        var sum = fixedSum
        let payload = UnsafeRawPointer(frame + udpOffset + 8)
        var offset = 0
        while offset < changedBytes {
            sum &+= UInt64(payload.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            offset &+= 2
        }
        var checksum = ~Self.fold(sum)
        // 0 says "no checksum" over IPv4 and is not allowed over IPv6: its ones'-complement twin.
        if checksum == 0 { checksum = 0xffff }
        frame.storeBytes(of: checksum, toByteOffset: udpOffset + 6, as: UInt16.self)
    }

    /// Folds a sum of 16-bit words into 16 bits, carries added back in (RFC 1071).
    @inlinable @inline(__always)
    static func fold(_ sum: UInt64) -> UInt16 {
        var folded = sum
        while folded > 0xffff { folded = (folded & 0xffff) &+ (folded >> 16) }
        return UInt16(truncatingIfNeeded: folded)
    }

    /// The sum of `bytes` as 16-bit words in this machine's order (an even count).
    static func wordSum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var sum: UInt64 = 0
        var offset = 0
        while offset + 1 < bytes.count {
            sum &+= UInt64(bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            offset += 2
        }
        return sum
    }

    /// The sum of the UDP pseudo-header: the addresses, the protocol (17) and the UDP length
    /// (RFC 768 for IPv4, RFC 8200 § 8.1 for IPv6).
    static func pseudoHeaderSum(source: SocketAddress, destination: SocketAddress, udpLength: Int) -> UInt64 {
        let isIPv6 = destination.family == .inet6
        var bytes = [UInt8](repeating: 0, count: isIPv6 ? 40 : 12)
        return bytes.withUnsafeMutableBytes { header in
            let base = header.baseAddress!
            let addressLength = isIPv6 ? 16 : 4
            writeAddress(source, to: base)
            writeAddress(destination, to: base + addressLength)
            if isIPv6 {
                storeBig16(UInt16(truncatingIfNeeded: udpLength >> 16), base, 32)
                storeBig16(UInt16(truncatingIfNeeded: udpLength), base, 34)
                base.storeBytes(of: 17, toByteOffset: 39, as: UInt8.self)
            } else {
                base.storeBytes(of: 17, toByteOffset: 9, as: UInt8.self)
                storeBig16(UInt16(truncatingIfNeeded: udpLength), base, 10)
            }
            return wordSum(UnsafeRawBufferPointer(header))
        }
    }

    /// An IPv4 header of 20 bytes with its checksum.
    private static func writeIPv4(_ header: UnsafeMutableRawPointer, source: SocketAddress, destination: SocketAddress, udpLength: Int) {
        header.storeBytes(of: 0x45, as: UInt8.self)                   // version 4, 5 words
        storeBig16(UInt16(truncatingIfNeeded: 20 + udpLength), header, 2)
        storeBig16(0x4000, header, 6)                                 // Don't Fragment, offset 0
        header.storeBytes(of: 64, toByteOffset: 8, as: UInt8.self)    // TTL
        header.storeBytes(of: 17, toByteOffset: 9, as: UInt8.self)    // UDP
        writeAddress(source, to: header + 12)
        writeAddress(destination, to: header + 16)
        let checksum = ~fold(wordSum(UnsafeRawBufferPointer(start: header, count: 20)))
        header.storeBytes(of: checksum, toByteOffset: 10, as: UInt16.self)
    }

    /// An IPv6 header of 40 bytes.
    private static func writeIPv6(_ header: UnsafeMutableRawPointer, source: SocketAddress, destination: SocketAddress, udpLength: Int) {
        header.storeBytes(of: 0x60, as: UInt8.self)                   // version 6, traffic class and flow label 0
        storeBig16(UInt16(truncatingIfNeeded: udpLength), header, 4)
        header.storeBytes(of: 17, toByteOffset: 6, as: UInt8.self)    // next header: UDP
        header.storeBytes(of: 64, toByteOffset: 7, as: UInt8.self)    // hop limit
        writeAddress(source, to: header + 8)
        writeAddress(destination, to: header + 24)
    }

    /// The address's 4 or 16 bytes, in network order.
    private static func writeAddress(_ address: SocketAddress, to pointer: UnsafeMutableRawPointer) {
        switch address.storage {
        case .inet(let host, _):
            pointer.storeBytes(of: host.bigEndian, as: UInt32.self)
        case .inet6(let host, _, _):
            pointer.storeBytes(of: host.head, as: UInt64.self)
            pointer.storeBytes(of: host.tail, toByteOffset: 8, as: UInt64.self)
        }
    }

    private static func storeBig16(_ value: UInt16, _ base: UnsafeMutableRawPointer, _ offset: Int) {
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }
}
