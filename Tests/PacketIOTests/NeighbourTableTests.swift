@testable import PacketIO
import Testing

/// The parser of an rtnetlink neighbour dump: usable entries only, and any buffer,
/// however cut or lying about its lengths, read without a read outside it.
@Suite struct NeighbourTableTests {
    static func little16(_ value: Int) -> [UInt8] { [UInt8(value & 0xff), UInt8(value >> 8 & 0xff)] }
    static func little32(_ value: Int) -> [UInt8] { little16(value & 0xffff) + little16(value >> 16 & 0xffff) }

    static func attribute(_ type: Int, _ value: [UInt8]) -> [UInt8] {
        let bytes = little16(4 + value.count) + little16(type) + value
        return bytes + [UInt8](repeating: 0, count: (4 - bytes.count % 4) % 4)
    }

    /// A netlink message of `type` around `body`.
    static func message(_ type: Int, _ body: [UInt8]) -> [UInt8] {
        little32(16 + body.count) + little16(type) + little16(2) + little32(1) + little32(0) + body
    }

    /// An RTM_NEWNEIGH message for `address` with `mac` on interface `index` in `state`.
    static func neighbour(index: Int, state: Int, address: [UInt8]?, mac: [UInt8]?) -> [UInt8] {
        let header: [UInt8] = [address?.count == 16 ? 10 : 2, 0, 0, 0] + little32(index) + little16(state) + [0, 1]
        return message(28, header + (address.map { attribute(1, $0) } ?? []) + (mac.map { attribute(2, $0) } ?? []))
    }

    static let mac: [UInt8] = [0x02, 0, 0, 0, 0, 0x01]

    @Test func usableEntriesAreKeptAndTheDumpEnds() {
        let buffer = Self.neighbour(index: 7, state: 0x80, address: [198, 19, 0, 1], mac: Self.mac)  // permanent
            + Self.neighbour(index: 7, state: 0x02, address: [32, 1, 0, 2] + [UInt8](repeating: 0, count: 11) + [1], mac: Self.mac)
            + Self.neighbour(index: 7, state: 0x01, address: [198, 19, 0, 5], mac: nil)                 // incomplete
            + Self.neighbour(index: 7, state: 0x20, address: [198, 19, 0, 6], mac: Self.mac)            // failed
            + Self.neighbour(index: 7, state: 0x04, address: [198, 19, 0, 9], mac: [1, 2, 3])           // not Ethernet
            + Self.message(3, Self.little32(0))
        let result = buffer.withUnsafeBytes { NeighbourTable.parse($0) }
        #expect(result.done)
        #expect(result.error == nil)
        #expect(result.entries.map(\.address) == [[198, 19, 0, 1], [32, 1, 0, 2] + [UInt8](repeating: 0, count: 11) + [1]])
        #expect(result.entries.allSatisfy { $0.interfaceIndex == 7 && $0.linkAddress.description == "02:00:00:00:00:01" })
    }

    @Test func anErrorMessageEndsTheDumpWithItsErrno() {
        let buffer = Self.message(2, Self.little32(-1 & 0xffff_ffff))
        let result = buffer.withUnsafeBytes { NeighbourTable.parse($0) }
        #expect(result.done)
        #expect(result.error == 1)
    }

    @Test func everyCutOfABufferIsReadInsideIt() {
        let whole = Self.neighbour(index: 3, state: 0x80, address: [198, 19, 0, 1], mac: Self.mac)
        for length in 0..<whole.count {
            let result = Array(whole[..<length]).withUnsafeBytes { NeighbourTable.parse($0) }
            #expect(result.entries.isEmpty && !result.done, "cut at \(length)")
        }
        // Lengths that lie: a message longer than the buffer, an attribute longer than its message.
        var lying = whole
        lying[0] = 0xff
        #expect(lying.withUnsafeBytes { NeighbourTable.parse($0) }.entries.isEmpty)
        var attribute = whole
        attribute[28] = 0x40
        #expect(attribute.withUnsafeBytes { NeighbourTable.parse($0) }.entries.isEmpty)
    }

    @Test func theDumpRequestIsAnRTMGetNeighForTheFamily() {
        let request = NeighbourTable.dumpRequest(family: .inet6)
        #expect(request == Self.little32(28) + Self.little16(30) + Self.little16(0x301) + Self.little32(1) + Self.little32(0)
            + [10] + [UInt8](repeating: 0, count: 11))
    }
}
