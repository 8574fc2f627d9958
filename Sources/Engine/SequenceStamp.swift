#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Reporting

/// What a sending thread writes into each datagram's header.
struct SequenceStamp: Sendable {
    let flow: UInt32
    let hostTag: UInt8

    @inline(__always)
    func header(_ kind: SequenceHeader.Kind, sequence: UInt64, time: UInt64) -> SequenceHeader {
        SequenceHeader(kind: kind, hostTag: hostTag, flow: flow, sequence: sequence, sendTime: time)
    }

    /// Stamps the first `count` datagrams of `batch` (message by message,
    /// segment by segment) with sequence numbers from `firstSequence`.
    @inline(__always)
    func write(into batch: borrowing SendBatch, count: Int, segments: Int, firstSequence: UInt64, time: UInt64) {
        var sequence = firstSequence
        var message = 0
        var left = count
        while left > 0 {
            let inMessage = min(left, segments)
            var segment = 0
            while segment < inMessage {
                _ = batch.withUnsafeMutablePayload(at: message, segment: segment) {
                    header(.data, sequence: sequence, time: time).write(to: $0)
                }
                sequence &+= 1
                segment &+= 1
            }
            left &-= inMessage
            message &+= 1
        }
    }
}
