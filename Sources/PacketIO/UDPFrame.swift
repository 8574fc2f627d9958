/// A UDP datagram found in an Ethernet frame: what an AF_XDP socket receives.
///
/// The frame is hostile input (any bytes may arrive on a wire, and a program
/// other than mpps's may fill the ring): ``init(parsing:)`` checks every length
/// against the bytes that are there before it reads, and returns nil for anything
/// that is not one whole UDP datagram over IPv4 or IPv6 — a short frame, another
/// EtherType (VLAN tags included), IPv4 with a bad header length, a fragment, IPv6
/// with extension headers, a UDP length that does not fit. Checksums are not
/// verified: a frame from a local sender on a veth carries a partial one.
public struct UDPFrame {
    /// The UDP payload, in place in the frame.
    public let payload: UnsafeRawBufferPointer
    /// Whether the datagram came over IPv6.
    public let isIPv6: Bool
    /// The destination port, in host byte order.
    public let destinationPort: UInt16
    /// Where the IP header starts (for the addresses), inside the frame.
    @usableFromInline let network: UnsafeRawPointer
    /// The UDP header, inside the frame.
    @usableFromInline let transport: UnsafeRawPointer

    /// The Ethernet header's length.
    @usableFromInline static let ethernetLength = 14

    /// Finds the UDP datagram in `frame`; nil when the frame is not one (see the type's description).
    /// Inlinable: the receiving thread calls it per frame, from another module.
    @inlinable @inline(__always)
    public init?(parsing frame: UnsafeRawBufferPointer) {
        guard let base = frame.baseAddress, frame.count >= Self.ethernetLength + 20 else { return nil }
        let ethertype = Self.big16(base, 12)
        let network = base + Self.ethernetLength
        let room = frame.count &- Self.ethernetLength
        let headerLength: Int
        let packetLength: Int
        switch ethertype {
        case 0x0800:
            let versionLength = network.load(fromByteOffset: 0, as: UInt8.self)
            headerLength = Int(versionLength & 0x0f) &* 4
            packetLength = Int(Self.big16(network, 2))
            // Version 4, a header of 20-60 bytes, room for UDP's 8 after it, all inside the frame
            // (a frame may be longer: Ethernet pads short frames to 60 bytes).
            guard versionLength >> 4 == 4, headerLength >= 20, packetLength >= headerLength &+ 8, packetLength <= room,
                  Self.big16(network, 6) & 0x3fff == 0,                 // neither More Fragments nor an offset
                  network.load(fromByteOffset: 9, as: UInt8.self) == 17 else { return nil }
            isIPv6 = false
        case 0x86dd:
            guard room >= 40 &+ 8, network.load(fromByteOffset: 0, as: UInt8.self) >> 4 == 6,
                  network.load(fromByteOffset: 6, as: UInt8.self) == 17 else { return nil }
            headerLength = 40
            packetLength = 40 &+ Int(Self.big16(network, 4))
            guard packetLength >= 40 &+ 8, packetLength <= room else { return nil }
            isIPv6 = true
        default:
            return nil
        }
        let transport = network + headerLength
        let datagramLength = Int(Self.big16(transport, 4))
        // UDP's own length: the header at least, and no more than the IP packet holds after its header.
        guard datagramLength >= 8, datagramLength <= packetLength &- headerLength else { return nil }
        self.network = network
        self.transport = transport
        destinationPort = Self.big16(transport, 2)
        payload = UnsafeRawBufferPointer(start: transport + 8, count: datagramLength &- 8)
    }

    /// The source port, in host byte order.
    public var sourcePort: UInt16 { Self.big16(transport, 0) }

    /// The sender's address and port.
    public var source: SocketAddress {
        isIPv6 ? .ipv6(bytesAt: network + 8, port: sourcePort) : .ipv4(networkOrderAt: network + 12, port: sourcePort)
    }

    /// The address and port the datagram was sent to.
    public var destination: SocketAddress {
        isIPv6 ? .ipv6(bytesAt: network + 24, port: destinationPort) : .ipv4(networkOrderAt: network + 16, port: destinationPort)
    }

    @inlinable @inline(__always)
    static func big16(_ base: UnsafeRawPointer, _ offset: Int) -> UInt16 {
        UInt16(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }
}
