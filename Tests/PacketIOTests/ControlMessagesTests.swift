#if canImport(Glibc)
import Glibc
#endif
import Testing
import PacketIO

/// Control messages and segment sizes are the kernel's word, read as untrusted
/// input: every malformed area ends the walk with a defined answer, and no
/// segment size makes the split trap or loop.
@Suite struct ControlMessagesTests {
    static let header = ControlMessages.headerSize

    /// An 8-aligned area of `size` bytes, with `body` writing into it first.
    func area(_ size: Int, _ body: (UnsafeMutableRawBufferPointer) -> Void) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: size)
        bytes.withUnsafeMutableBytes(body)
        return bytes
    }

    /// Writes a control message header at `offset`: a length, a level and a type.
    func writeHeader(_ area: UnsafeMutableRawBufferPointer, at offset: Int, length: UInt, level: Int32, type: Int32) {
        area.storeBytes(of: length, toByteOffset: offset, as: UInt.self)
        area.storeBytes(of: level, toByteOffset: offset + 8, as: Int32.self)
        area.storeBytes(of: type, toByteOffset: offset + 12, as: Int32.self)
    }

    func value(_ bytes: [UInt8], level: Int32 = 17, type: Int32 = 104) -> UInt32? {
        bytes.withUnsafeBytes { ControlMessages.value(in: $0, level: level, type: type) }
    }

    @Test func aWellFormedSecondMessageIsFound() {
        let bytes = area(48) { area in
            writeHeader(area, at: 0, length: 20, level: 1, type: 40)
            area.storeBytes(of: UInt32(7), toByteOffset: 16, as: UInt32.self)
            writeHeader(area, at: 24, length: 20, level: 17, type: 104)
            area.storeBytes(of: UInt32(1400), toByteOffset: 40, as: UInt32.self)
        }
        #expect(value(bytes) == 1400)
        #expect(value(bytes, level: 1, type: 40) == 7)
        #expect(value(bytes, level: 1, type: 41) == nil)
        let dataCount = bytes.withUnsafeBytes { ControlMessages.data(in: $0, level: 17, type: 104)?.count }
        #expect(dataCount == 4)
    }

    @Test func malformedLengthsEndTheWalk() {
        // A zero length would never advance: it ends the walk.
        #expect(value(area(48) { writeHeader($0, at: 0, length: 0, level: 17, type: 104) }) == nil)
        // Shorter than a header.
        #expect(value(area(48) { writeHeader($0, at: 0, length: 15, level: 17, type: 104) }) == nil)
        // Past the end of the area.
        #expect(value(area(48) { writeHeader($0, at: 0, length: 49, level: 17, type: 104) }) == nil)
        // A huge size_t, which as a signed Int is negative, and the largest value of all.
        #expect(value(area(48) { writeHeader($0, at: 0, length: UInt(Int.max) + 1, level: 17, type: 104) }) == nil)
        #expect(value(area(48) { writeHeader($0, at: 0, length: UInt.max, level: 17, type: 104) }) == nil)
        // A first message whose aligned length steps exactly to the end: nothing follows.
        #expect(value(area(24) { writeHeader($0, at: 0, length: 20, level: 1, type: 40) }) == nil)
        // A second message cut short by the area (the kernel's MSG_CTRUNC case).
        let cut = area(40) { area in
            writeHeader(area, at: 0, length: 20, level: 1, type: 40)
            writeHeader(area, at: 24, length: 20, level: 17, type: 104)
        }
        #expect(value(cut) == nil)
        // Data shorter than the 4 bytes asked for.
        #expect(value(area(24) { writeHeader($0, at: 0, length: 18, level: 17, type: 104) }) == nil)
        // Areas too small for any header.
        #expect(value([]) == nil)
        #expect(value([UInt8](repeating: 0xff, count: 15)) == nil)
    }

    @Test func everyLengthOfEveryTinyAreaEndsWithAnAnswer() {
        // Exhaustive over the first header's length for a few area sizes: no trap, no hang.
        for size in [16, 17, 23, 24, 31, 32, 40, 64] {
            for length in 0...80 {
                let bytes = area(size) { writeHeader($0, at: 0, length: UInt(length), level: 17, type: 104) }
                let found = value(bytes)
                let expected: UInt32? = length >= Self.header + 4 && length <= size ? 0 : nil
                #expect(found == expected, "area \(size), length \(length)")
            }
        }
    }

    @Test func segmentSizesSplitExactlyWhateverTheirValue() {
        func pieces(_ length: Int, _ size: Int) -> [[Int]] {
            var result: [[Int]] = []
            ReceiveBatch.forEachSegment(length: length, segmentSize: size) { result.append([$0, $1, $2]) }
            return result
        }
        #expect(pieces(10, 0) == [[0, 10, 0]])                 // no segment size: one datagram
        #expect(pieces(10, 10) == [[0, 10, 0]])
        #expect(pieces(10, 11) == [[0, 10, 0]])                // larger than the message
        #expect(pieces(10, Int(UInt32.max)) == [[0, 10, 0]])
        #expect(pieces(10, -1) == [[0, 10, 0]])
        #expect(pieces(0, 5) == [[0, 0, 0]])                   // an empty datagram
        #expect(pieces(10, 3) == [[0, 3, 0], [3, 3, 1], [6, 3, 2], [9, 1, 3]])
        #expect(pieces(400, 100) == [[0, 100, 0], [100, 100, 1], [200, 100, 2], [300, 100, 3]])
        #expect(pieces(65536, 1).count == 65536)
        #expect(ReceiveBatch.datagramCount(length: 10, segmentSize: 0) == 1)
        #expect(ReceiveBatch.datagramCount(length: 10, segmentSize: 3) == 4)
        #expect(ReceiveBatch.datagramCount(length: 10, segmentSize: 11) == 1)
        #expect(ReceiveBatch.datagramCount(length: 0, segmentSize: 7) == 1)
        #expect(ReceiveBatch.datagramCount(length: 65536, segmentSize: 1) == 65536)
        #expect(ReceiveBatch.datagramCount(length: 65535, segmentSize: 65534) == 2)
    }
}
