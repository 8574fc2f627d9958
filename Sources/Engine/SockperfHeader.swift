import PacketIO
import Reporting

/// The 14 bytes sockperf puts first in each UDP message (`MsgHeader`, network order):
/// a 64-bit sequence number, 16 bits of flags (1: sent by a client, 2: asks for a
/// reply, 4: warm-up) and the message's 32-bit length. `mpps echo --sockperf` reads
/// it to answer as `sockperf server` does. A claim like any other: it is taken as
/// sockperf's only when the client flag is set and the length is the datagram's own.
struct SockperfHeader {
    let flags: UInt16

    static let size = 14
    static let clientFlag: UInt16 = 1
    static let replyFlag: UInt16 = 2

    /// The header at the start of `bytes`; nil when they do not carry one.
    @inline(__always)
    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= Self.size, let base = bytes.baseAddress else { return nil }
        let flags = UInt16(bigEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt16.self))
        let length = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: 10, as: UInt32.self))
        guard flags & Self.clientFlag != 0, length == UInt32(truncatingIfNeeded: bytes.count) else { return nil }
        self.flags = flags
    }

    /// Whether the client wants this message answered (sockperf's pong request).
    var asksForReply: Bool { flags & Self.replyFlag != 0 }

    /// Clears the client flag in a copy of a message that carries the header, as sockperf's server does.
    @inline(__always)
    static func markAsServers(_ message: UnsafeMutableRawBufferPointer) {
        // The flags' low byte is the second byte of the big-endian 16 bits at offset 8.
        message[9] &= ~UInt8(truncatingIfNeeded: clientFlag)
    }
}
