import PacketIO
import Reporting

/// The 14 bytes sockperf puts first in each UDP message (`MsgHeader`, network order):
/// a 64-bit sequence number, 16 bits of flags (1: sent by a client, 2: asks for a
/// reply, 4: warm-up) and the message's 32-bit length. `mpps echo --sockperf` reads
/// it to answer as `sockperf server` does; `mpps ping --sockperf` writes it before its
/// own header, so that sockperf's server answers. A claim like any other: it is taken
/// as sockperf's only when the client flag is set and the length is the datagram's own.
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

    /// Writes a client's pong request at the start of `message` (at least ``size`` bytes):
    /// `sequence`, the client and reply flags, and `length`, the whole datagram's.
    @inline(__always)
    static func writeRequest(sequence: UInt64, length: Int, to message: UnsafeMutableRawBufferPointer) {
        guard message.count >= size, let base = message.baseAddress else { return }
        base.storeBytes(of: sequence.bigEndian, as: UInt64.self)
        base.storeBytes(of: (clientFlag | replyFlag).bigEndian, toByteOffset: 8, as: UInt16.self)
        base.storeBytes(of: UInt32(truncatingIfNeeded: length).bigEndian, toByteOffset: 10, as: UInt32.self)
    }

    /// Whether `message` starts with sockperf's server's answer to the request ``writeRequest(sequence:length:to:)``
    /// wrote for `sequence` and a datagram as long as `message`: that header with the client flag cleared
    /// and every other bit as it was sent.
    @inline(__always)
    static func isServersAnswer(_ message: UnsafeRawBufferPointer, to sequence: UInt64) -> Bool {
        guard message.count >= size, let base = message.baseAddress else { return false }
        return UInt64(bigEndian: base.loadUnaligned(as: UInt64.self)) == sequence
            && UInt16(bigEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt16.self)) == replyFlag
            && UInt32(bigEndian: base.loadUnaligned(fromByteOffset: 10, as: UInt32.self)) == UInt32(truncatingIfNeeded: message.count)
    }
}
