import PacketIO
import Testing

/// The frames `send --xdp` builds: exact bytes against frames made by hand (and by an
/// independent Python check when the constants were written), and every UDP checksum
/// after a stamped header against an independent byte-by-byte computation.
@Suite struct UDPFrameTemplateTests {
    static let destinationMAC = MACAddress(parsing: "02:00:00:00:00:01")!
    static let sourceMAC = MACAddress(parsing: "02:00:00:00:00:02")!

    static func template(_ source: String, _ destination: String, payload: Int) throws -> UDPFrameTemplate {
        UDPFrameTemplate(source: try SocketAddress(parsing: source), destination: try SocketAddress(parsing: destination),
                         sourceMAC: sourceMAC, destinationMAC: destinationMAC, payloadLength: payload)
    }

    /// Builds a frame, writes `payload` over the start of its payload, and returns its bytes.
    static func frame(_ template: UDPFrameTemplate, payload: [UInt8]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0xee, count: template.frameLength)
        bytes.withUnsafeMutableBytes { frame in
            template.write(to: frame.baseAddress!)
            for (index, byte) in payload.enumerated() { frame[template.payloadOffset + index] = byte }
            template.updateChecksum(frame.baseAddress!, changedBytes: payload.count)
        }
        return bytes
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// RFC 1071 done the slow way: big-endian 16-bit words of `bytes`, carries folded, complemented.
    static func independentChecksum(_ bytes: [UInt8]) -> UInt16 {
        var sum = 0
        var index = 0
        while index < bytes.count {
            sum += Int(bytes[index]) << 8 + (index + 1 < bytes.count ? Int(bytes[index + 1]) : 0)
            index += 2
        }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }

    /// The UDP checksum a frame should carry, from its own addresses, UDP header (checksum 0) and payload.
    static func expectedUDPChecksum(_ frame: [UInt8]) -> UInt16 {
        let isIPv6 = frame[12] == 0x86
        let udp = isIPv6 ? 54 : 34
        var datagram = Array(frame[udp...])
        datagram[6] = 0
        datagram[7] = 0
        let length = datagram.count
        let pseudo: [UInt8] = isIPv6
            ? Array(frame[22..<54]) + [UInt8(length >> 24 & 0xff), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), 0, 0, 0, 17]
            : Array(frame[26..<34]) + [0, 17, UInt8(length >> 8), UInt8(length & 0xff)]
        let checksum = independentChecksum(pseudo + datagram)
        return checksum == 0 ? 0xffff : checksum
    }

    static func udpChecksum(_ frame: [UInt8]) -> UInt16 {
        let udp = frame[12] == 0x86 ? 54 : 34
        return UInt16(frame[udp + 6]) << 8 | UInt16(frame[udp + 7])
    }

    @Test func anIPv4FrameHasExactlyTheseBytes() throws {
        let template = try Self.template("198.18.0.2:5000", "198.18.0.1:4321", payload: 8)
        #expect(template.payloadOffset == 42)
        #expect(template.frameLength == 50)
        let frame = Self.frame(template, payload: [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(Self.hex(frame) == "020000000001020000000002080045000024000040004011aea1c6120002c6120001138810e100103f290102030405060708")
        // The IPv4 header's own checksum, verified the way a receiver does: the sum over it is all ones.
        #expect(Self.independentChecksum(Array(frame[14..<34])) == 0)
    }

    @Test func anIPv6FrameHasExactlyTheseBytes() throws {
        let template = try Self.template("[2001:2::2]:5000", "[2001:2::1]:4321", payload: 8)
        #expect(template.payloadOffset == 62)
        let frame = Self.frame(template, payload: [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(Self.hex(frame) == "02000000000102000000000286dd6000000000101140200100020000000000000000000000022001000200000000000000000000"
            + "0001138810e100108b480102030405060708")
    }

    @Test func anAllZeroPayloadCarriesItsChecksumAndZeros() throws {
        let template = try Self.template("198.18.0.2:5000", "198.18.0.1:4321", payload: 8)
        let frame = Self.frame(template, payload: [])
        #expect(Self.udpChecksum(frame) == 0x4f3d)
        #expect(frame[42...].allSatisfy { $0 == 0 }, "the 0xee the buffer held must be gone")
    }

    @Test(arguments: ["198.18.0.2:65400", "[2001:2::2]:65400"])
    func everyStampedHeaderGetsTheRightChecksum(_ source: String) throws {
        let destination = source.hasPrefix("[") ? "[2001:2:ab::1]:4321" : "198.19.7.1:4321"
        for payload in [16, 24, 32, 1472] {
            let template = try Self.template(source, destination, payload: payload)
            let stamped = payload >= 24 ? 24 : 16
            for sequence in [UInt64(0), 1, 0xffff, 0x1234_5678_9abc_def0, .max] {
                var header = [UInt8](repeating: 0, count: stamped)
                header.withUnsafeMutableBytes {
                    _ = SequenceHeader(kind: .data, hostTag: 0xa5, flow: 0xdead_beef, sequence: sequence, sendTime: ~sequence).write(to: $0)
                }
                let frame = Self.frame(template, payload: header)
                #expect(Self.udpChecksum(frame) == Self.expectedUDPChecksum(frame), "payload \(payload), sequence \(sequence)")
                let parsed = frame.withUnsafeBytes { UDPFrame(parsing: $0).map { (Array($0.payload), $0.source, $0.destination) } }
                #expect(parsed?.0 == header + [UInt8](repeating: 0, count: payload - stamped))
                #expect(parsed?.1 == template.source)
                #expect(parsed?.2 == template.destination)
            }
        }
    }

    @Test func aSumOfAllOnesIsWrittenAsFFFFNotZero() throws {
        let template = try Self.template("198.18.0.2:5000", "198.18.0.1:4321", payload: 16)
        let zero = Self.frame(template, payload: [])
        // The sum of everything else is the complement of the zero payload's checksum: the word that
        // brings it to 0xffff makes the computed checksum 0, which UDP must send as 0xffff.
        let rest = ~Self.udpChecksum(zero)
        let word = 0xffff - rest
        let frame = Self.frame(template, payload: [UInt8(word >> 8), UInt8(word & 0xff)])
        #expect(Self.udpChecksum(frame) == 0xffff)
        #expect(Self.expectedUDPChecksum(frame) == 0xffff)
    }

    @Test func macAddressesParseAndPrint() {
        #expect(MACAddress(parsing: "02:0A:ff:00:10:9c")?.description == "02:0a:ff:00:10:9c")
        #expect(MACAddress(parsing: "02:0a:ff:00:10:9c")?.value == 0x020a_ff00_109c)
        for bad in ["", "02:0a:ff:00:10", "02:0a:ff:00:10:9c:01", "2:0a:ff:00:10:9c", "02-0a-ff-00-10-9c", "02:0a:ff:00:10:zz", "02:0a:ff:00:10:+1"] {
            #expect(MACAddress(parsing: bad) == nil, "\(bad)")
        }
    }
}
