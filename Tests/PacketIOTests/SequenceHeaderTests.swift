import Testing
import PacketIO

@Suite struct SequenceHeaderTests {
    @Test func writesTheDocumentedLayout() {
        var bytes = [UInt8](repeating: 0xEE, count: 32)
        let header = SequenceHeader(kind: .data, hostTag: 0xAB, flow: 0x0102_0304, sequence: 0x1122_3344_5566_7788,
                                    sendTime: 0x0A0B_0C0D_0E0F_1011)
        let wrote = bytes.withUnsafeMutableBytes { header.write(to: $0) }
        #expect(wrote)
        #expect(Array(bytes[0..<24]) == [0x50, 0x4D, 0x01, 0xAB, 0x04, 0x03, 0x02, 0x01,
                                         0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
                                         0x11, 0x10, 0x0F, 0x0E, 0x0D, 0x0C, 0x0B, 0x0A])
        #expect(Array(bytes[24...]) == [UInt8](repeating: 0xEE, count: 8), "nothing written past the header")
        #expect(bytes.withUnsafeBytes { SequenceHeader(reading: $0) } == header)
    }

    @Test func sixteenBytesCarryNoTime() {
        var bytes = [UInt8](repeating: 0, count: 16)
        let header = SequenceHeader(kind: .endOfFlow, hostTag: 1, flow: 9, sequence: 200_000, sendTime: 123)
        #expect(bytes.withUnsafeMutableBytes { header.write(to: $0) })
        let read = bytes.withUnsafeBytes { SequenceHeader(reading: $0) }
        #expect(read == SequenceHeader(kind: .endOfFlow, hostTag: 1, flow: 9, sequence: 200_000, sendTime: nil))
    }

    @Test func shortOrForeignPayloadsHaveNoHeader() {
        var short = [UInt8](repeating: 0, count: 15)
        #expect(!short.withUnsafeMutableBytes { SequenceHeader(kind: .data, hostTag: 0, flow: 0, sequence: 0, sendTime: nil).write(to: $0) })
        #expect(short == [UInt8](repeating: 0, count: 15))
        #expect([UInt8](repeating: 0, count: 32).withUnsafeBytes { SequenceHeader(reading: $0) } == nil)
        var wrongKind = [UInt8](repeating: 0, count: 16)
        wrongKind[0] = 0x50; wrongKind[1] = 0x4D; wrongKind[2] = 3
        #expect(wrongKind.withUnsafeBytes { SequenceHeader(reading: $0) } == nil)
        wrongKind[2] = 1
        #expect(wrongKind.withUnsafeBytes { SequenceHeader(reading: $0) }?.kind == .data)
    }
}
