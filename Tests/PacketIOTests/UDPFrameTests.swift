import PacketIO
import Testing

/// Frames as an AF_XDP socket receives them: Ethernet, IPv4 or IPv6, UDP. Every
/// hostile case gives nil, never a read outside the frame.
@Suite struct UDPFrameTests {
    /// An Ethernet frame carrying UDP over IPv4 from 198.19.0.2:5000 to 198.19.0.1:`port`.
    static func ipv4Frame(payload: [UInt8], port: UInt16 = 4321, ihl: UInt8 = 5, fragment: UInt16 = 0,
                          totalLength: Int? = nil, udpLength: Int? = nil, padding: Int = 0) -> [UInt8] {
        let header = Int(ihl) * 4
        var frame = [UInt8](repeating: 0, count: 12) + [0x08, 0x00]
        var ip = [UInt8](repeating: 0, count: max(header, 20))
        ip[0] = 0x40 | ihl
        let total = totalLength ?? header + 8 + payload.count
        ip[2] = UInt8(total >> 8); ip[3] = UInt8(total & 0xff)
        ip[6] = UInt8(fragment >> 8); ip[7] = UInt8(fragment & 0xff)
        ip[8] = 64; ip[9] = 17
        ip[12...15] = [198, 19, 0, 2]; ip[16...19] = [198, 19, 0, 1]
        let length = udpLength ?? 8 + payload.count
        let udp: [UInt8] = [0x13, 0x88, UInt8(port >> 8), UInt8(port & 0xff), UInt8(length >> 8), UInt8(length & 0xff), 0, 0]
        frame += ip + udp + payload + [UInt8](repeating: 0, count: padding)
        return frame
    }

    /// The same over IPv6, from 2001:db8::2 to 2001:db8::1.
    static func ipv6Frame(payload: [UInt8], port: UInt16 = 4321, next: UInt8 = 17, udpLength: Int? = nil) -> [UInt8] {
        var frame = [UInt8](repeating: 0, count: 12) + [0x86, 0xdd]
        var ip = [UInt8](repeating: 0, count: 40)
        ip[0] = 0x60
        let length = 8 + payload.count
        ip[4] = UInt8(length >> 8); ip[5] = UInt8(length & 0xff)
        ip[6] = next; ip[7] = 64
        ip[8] = 0x20; ip[9] = 0x01; ip[10] = 0x0d; ip[11] = 0xb8; ip[23] = 2
        ip[24] = 0x20; ip[25] = 0x01; ip[26] = 0x0d; ip[27] = 0xb8; ip[39] = 1
        let udpLength = udpLength ?? length
        let udp: [UInt8] = [0x13, 0x88, UInt8(port >> 8), UInt8(port & 0xff), UInt8(udpLength >> 8), UInt8(udpLength & 0xff), 0, 0]
        frame += ip + udp + payload
        return frame
    }

    func parse(_ frame: [UInt8]) -> (payload: [UInt8], port: UInt16, source: String, destination: String, ipv6: Bool)? {
        frame.withUnsafeBytes { bytes in
            UDPFrame(parsing: bytes).map { ([UInt8]($0.payload), $0.destinationPort, "\($0.source)", "\($0.destination)", $0.isIPv6) }
        }
    }

    @Test func anIPv4DatagramIsFoundWithItsAddresses() throws {
        let found = try #require(parse(Self.ipv4Frame(payload: [1, 2, 3, 4])))
        #expect(found.payload == [1, 2, 3, 4])
        #expect(found.port == 4321)
        #expect(found.source == "198.19.0.2:5000")
        #expect(found.destination == "198.19.0.1:4321")
        #expect(!found.ipv6)
    }

    @Test func ethernetPaddingIsNotPayload() throws {
        // A 4-byte datagram makes a 46-byte frame; Ethernet pads it to 60.
        let found = try #require(parse(Self.ipv4Frame(payload: [9, 9, 9, 9], padding: 14)))
        #expect(found.payload == [9, 9, 9, 9])
    }

    @Test func ipv4OptionsAreSkippedByTheirLength() throws {
        let found = try #require(parse(Self.ipv4Frame(payload: [7], ihl: 6)))
        #expect(found.payload == [7])
    }

    @Test func anIPv6DatagramIsFound() throws {
        let found = try #require(parse(Self.ipv6Frame(payload: [5, 6])))
        #expect(found.payload == [5, 6])
        #expect(found.source == "[2001:db8::2]:5000")
        #expect(found.destination == "[2001:db8::1]:4321")
        #expect(found.ipv6)
    }

    @Test func anEmptyDatagramHasAnEmptyPayload() throws {
        #expect(try #require(parse(Self.ipv4Frame(payload: []))).payload == [])
    }

    static let hostileFrames: [(String, [UInt8])] = {
        var tcp = ipv4Frame(payload: [1])
        tcp[23] = 6
        var version = ipv4Frame(payload: [1])
        version[14] = 0x65
        let zeros12 = [UInt8](repeating: 0, count: 12)
        var cases: [(String, [UInt8])] = []
        cases.append(("no frame", []))
        cases.append(("Ethernet only", zeros12 + [0x08, 0x00]))
        cases.append(("ARP", zeros12 + [0x08, 0x06] + [UInt8](repeating: 0, count: 28)))
        cases.append(("VLAN tag", zeros12 + [0x81, 0x00] + [UInt8](repeating: 0, count: 50)))
        cases.append(("cut inside the UDP header", Array(ipv4Frame(payload: []).prefix(14 + 20 + 4))))
        cases.append(("IHL below 5", ipv4Frame(payload: [1], ihl: 4)))
        cases.append(("IHL past the packet", ipv4Frame(payload: [1], ihl: 15, totalLength: 29)))
        cases.append(("version 6 in an IPv4 EtherType", version))
        cases.append(("TCP", tcp))
        cases.append(("more fragments", ipv4Frame(payload: [1], fragment: 0x2000)))
        cases.append(("a later fragment", ipv4Frame(payload: [1], fragment: 0x0010)))
        cases.append(("total length past the frame", ipv4Frame(payload: [1], totalLength: 1500)))
        cases.append(("total length shorter than the headers", ipv4Frame(payload: [1], totalLength: 24)))
        cases.append(("UDP length below 8", ipv4Frame(payload: [1], udpLength: 7)))
        cases.append(("UDP length past the IP packet", ipv4Frame(payload: [1], udpLength: 10)))
        cases.append(("UDP length 65535", ipv4Frame(payload: [1], udpLength: 65535)))
        cases.append(("IPv6 extension header", ipv6Frame(payload: [1], next: 0)))
        cases.append(("IPv6 cut short", Array(ipv6Frame(payload: [1, 2, 3]).prefix(14 + 40 + 7))))
        cases.append(("IPv6 jumbogram UDP length 0", ipv6Frame(payload: [1], udpLength: 0)))
        cases.append(("IPv6 UDP length past the packet", ipv6Frame(payload: [1], udpLength: 200)))
        return cases
    }()

    @Test func aFrameThatIsNotOneWholeDatagramIsRefused() {
        for (name, frame) in Self.hostileFrames {
            #expect(parse(frame) == nil, "\(name)")
        }
        #expect(Self.hostileFrames.count == 20)
    }

    @Test func everyPrefixOfAFrameParsesOrIsRefusedWithoutATrap() {
        for frame in [Self.ipv4Frame(payload: [1, 2, 3]), Self.ipv6Frame(payload: [1, 2, 3])] {
            for length in 0..<frame.count {
                #expect(parse(Array(frame.prefix(length))) == nil, "prefix of \(length) bytes")
            }
        }
    }
}
