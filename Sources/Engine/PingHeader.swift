import PacketIO
import Reporting

/// The first 32 bytes of every `mpps ping` request, returned as they are by an
/// echo: who sent it (a random token per run and the flow), which request it
/// is, and when it was meant to go and when it went. All little-endian:
///
/// ```
/// 0  magic 0x5047 ("PG")   2  flow (u16)     4  token (u32)
/// 8  sequence (u64)        16 intended send time (u64, ns)   24 actual send time (u64, ns)
/// ```
/// The flow (bytes 2-3) is the request's flow number, 0..<`--flows` (before `--flows`, the thread's
/// number, which was the same: one flow per thread). Each flow has its own socket and its own
/// sequence numbers from 0, so (source address and port, token, flow) names a sequence space:
/// an echo counts the gaps in it as requests lost on the way in.
/// A reply is a claim from the network: ``PingTracker`` checks every field before it counts.
package struct PingHeader: Equatable, Sendable {
    /// The flow that sent it (its socket): 0..<`--flows`.
    package var flow: UInt16
    package var token: UInt32
    package var sequence: UInt64
    /// When the schedule meant the request to go (open loop), in ``MonotonicClock`` nanoseconds.
    package var intended: UInt64
    /// When it went: the clock read just before the `sendmmsg` that carried it.
    package var actual: UInt64

    /// The header's bytes: the smallest payload `mpps ping` sends.
    package static let size = 32
    /// The first two bytes, little-endian.
    package static let magic: UInt16 = 0x5047

    /// A header with these fields.
    package init(flow: UInt16, token: UInt32, sequence: UInt64, intended: UInt64, actual: UInt64) {
        self.flow = flow
        self.token = token
        self.sequence = sequence
        self.intended = intended
        self.actual = actual
    }

    /// Reads a header from the start of `bytes`; nil when they are too short or the magic is wrong.
    @inline(__always)
    package init?(reading bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= Self.size, let base = bytes.baseAddress,
              UInt16(littleEndian: base.loadUnaligned(as: UInt16.self)) == Self.magic else { return nil }
        flow = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        token = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        sequence = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        intended = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        actual = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    /// Writes the header at the start of `bytes`; false (and nothing written) when they are too short.
    @inline(__always)
    @discardableResult
    package func write(to bytes: UnsafeMutableRawBufferPointer) -> Bool {
        guard bytes.count >= Self.size, let base = bytes.baseAddress else { return false }
        base.storeBytes(of: Self.magic.littleEndian, as: UInt16.self)
        base.storeBytes(of: flow.littleEndian, toByteOffset: 2, as: UInt16.self)
        base.storeBytes(of: token.littleEndian, toByteOffset: 4, as: UInt32.self)
        base.storeBytes(of: sequence.littleEndian, toByteOffset: 8, as: UInt64.self)
        base.storeBytes(of: intended.littleEndian, toByteOffset: 16, as: UInt64.self)
        base.storeBytes(of: actual.littleEndian, toByteOffset: 24, as: UInt64.self)
        return true
    }
}
