import PacketIO
import Testing

@Suite("SendBatch.stampDataHeaders")
struct StampDataHeadersTests {
    /// Every datagram's payload bytes, message by message, segment by segment.
    func payloads(_ batch: borrowing SendBatch) -> [[UInt8]] {
        var all: [[UInt8]] = []
        for message in 0..<batch.capacity {
            for segment in 0..<batch.segmentsPerMessage {
                all.append(batch.withUnsafeMutablePayload(at: message, segment: segment) { Array($0) })
            }
        }
        return all
    }

    @Test func stampsTheFirstDatagramsInOrderAcrossGSOMessagesAndLeavesTheRest() {
        // 3 messages of 4 segments of 24 bytes; 10 datagrams: two full messages and half the third.
        let batch = SendBatch(capacity: 3, payloadSize: 24, segmentsPerMessage: 4)
        batch.stampDataHeaders(flow: 0xA1B2_C3D4, hostTag: 0x5E, firstSequence: 0x0102_0304_0506_0708,
                               sendTime: 0x1122_3344_5566_7788, count: 10)
        let all = payloads(batch)
        #expect(all.count == 12)
        for (index, bytes) in all.enumerated() {
            if index < 10 {
                let sequence = (0x0102_0304_0506_0708 as UInt64) + UInt64(index)
                let expected: [UInt8] = [0x50, 0x4D, 0x01, 0x5E, 0xD4, 0xC3, 0xB2, 0xA1]
                    + withUnsafeBytes(of: sequence.littleEndian, Array.init)
                    + [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]
                #expect(bytes == expected, "datagram \(index)")
            } else {
                #expect(bytes == [UInt8](repeating: 0, count: 24), "datagram \(index) is not stamped")
            }
        }
    }

    @Test func headersReadBackAsWritten() {
        let batch = SendBatch(capacity: 2, payloadSize: 32, segmentsPerMessage: 2)
        batch.stampDataHeaders(flow: 7, hostTag: 3, firstSequence: UInt64.max - 1, sendTime: 99, count: 4)
        let read = payloads(batch).map { bytes in bytes.withUnsafeBytes { SequenceHeader(reading: $0) } }
        // The sequence wraps as UInt64 does; the receiver's plausibility rules judge it, not the stamper.
        #expect(read == [
            SequenceHeader(kind: .data, hostTag: 3, flow: 7, sequence: UInt64.max - 1, sendTime: 99),
            SequenceHeader(kind: .data, hostTag: 3, flow: 7, sequence: UInt64.max, sendTime: 99),
            SequenceHeader(kind: .data, hostTag: 3, flow: 7, sequence: 0, sendTime: 99),
            SequenceHeader(kind: .data, hostTag: 3, flow: 7, sequence: 1, sendTime: 99),
        ])
    }

    @Test func payloadsWithoutRoomForTheTimeGetSixteenBytes() {
        let batch = SendBatch(capacity: 2, payloadSize: 20)
        batch.stampDataHeaders(flow: 1, hostTag: 0, firstSequence: 5, sendTime: 0xFFFF_FFFF, count: 2)
        let all = payloads(batch)
        #expect(all[0] == [0x50, 0x4D, 1, 0, 1, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(all[1] == [0x50, 0x4D, 1, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func payloadsShorterThanAHeaderStayAsTheyAre() {
        let batch = SendBatch(capacity: 4, payloadSize: 15)
        batch.stampDataHeaders(flow: 1, hostTag: 1, firstSequence: 0, sendTime: 1, count: 4)
        #expect(payloads(batch) == Array(repeating: [UInt8](repeating: 0, count: 15), count: 4))
    }
}
