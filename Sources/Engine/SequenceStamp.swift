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
}
