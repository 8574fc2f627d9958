/// The header `mpps send` writes at the start of each datagram's payload, so a
/// receiver can count what was lost, reordered or duplicated per flow, and,
/// when both ends share a host, measure one-way latency.
///
/// Layout, little-endian, 16 bytes, plus 8 when the payload has room:
///
/// | offset | size | field |
/// | --- | --- | --- |
/// | 0 | 2 | magic `0x4D50` |
/// | 2 | 1 | kind: 1 data, 2 end of flow |
/// | 3 | 1 | host tag: 8 bits of the sender's boot id, to tell a shared clock |
/// | 4 | 4 | flow id: one per sending socket |
/// | 8 | 8 | data: the sequence number from 0; end of flow: data datagrams sent |
/// | 16 | 8 | send time, CLOCK_MONOTONIC nanoseconds (payloads of 24 bytes or more) |
///
/// Payloads shorter than 16 bytes carry no header and are counted as before.
public struct SequenceHeader: Equatable, Sendable {
    /// What a datagram is.
    public enum Kind: UInt8, Sendable {
        /// A numbered data datagram.
        case data = 1
        /// The sender's last word on a flow: how many data datagrams it sent.
        case endOfFlow = 2
    }

    /// Data or end of flow.
    public var kind: Kind
    /// 8 bits that identify the sender's host (its boot id), 0 when unknown.
    public var hostTag: UInt8
    /// The sending socket's flow.
    public var flow: UInt32
    /// The sequence number (data) or the count of data datagrams sent (end of flow).
    public var sequence: UInt64
    /// CLOCK_MONOTONIC nanoseconds at sending; nil when the payload had no room.
    public var sendTime: UInt64?

    /// Creates a header.
    public init(kind: Kind, hostTag: UInt8, flow: UInt32, sequence: UInt64, sendTime: UInt64?) {
        self.kind = kind
        self.hostTag = hostTag
        self.flow = flow
        self.sequence = sequence
        self.sendTime = sendTime
    }

    /// The bytes every header takes.
    public static let size = 16
    /// The bytes a header with a send time takes.
    public static let sizeWithTime = 24
    /// The first two bytes of every header, `0x4D50` little-endian.
    public static let magic: UInt16 = 0x4D50

    /// The first 8 bytes as one little-endian word: magic, kind, host tag, flow.
    @inline(__always)
    static func prefix(kind: Kind, hostTag: UInt8, flow: UInt32) -> UInt64 {
        UInt64(magic) | UInt64(kind.rawValue) << 16 | UInt64(hostTag) << 24 | UInt64(flow) << 32
    }

    /// Writes this header at the start of `payload`: 16 bytes, and the send time
    /// too when there are 24 bytes. Returns false (writing nothing) when the
    /// payload is shorter than 16 bytes.
    @inline(__always)
    @discardableResult
    public func write(to payload: UnsafeMutableRawBufferPointer) -> Bool {
        guard payload.count >= Self.size else { return false }
        payload.storeBytes(of: Self.prefix(kind: kind, hostTag: hostTag, flow: flow).littleEndian, toByteOffset: 0, as: UInt64.self)
        payload.storeBytes(of: sequence.littleEndian, toByteOffset: 8, as: UInt64.self)
        if payload.count >= Self.sizeWithTime {
            payload.storeBytes(of: (sendTime ?? 0).littleEndian, toByteOffset: 16, as: UInt64.self)
        }
        return true
    }

    /// Reads a header from the start of `payload`; nil when it has none
    /// (too short, or another magic or kind: an all-zero payload, say).
    /// Inlinable: receiving threads call it per datagram, from another module.
    @inlinable @inline(__always)
    public init?(reading payload: UnsafeRawBufferPointer) {
        guard payload.count >= Self.size else { return nil }
        let first = UInt64(littleEndian: payload.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard UInt16(truncatingIfNeeded: first) == Self.magic,
              let kind = Kind(rawValue: UInt8(truncatingIfNeeded: first >> 16)) else { return nil }
        self.kind = kind
        hostTag = UInt8(truncatingIfNeeded: first >> 24)
        flow = UInt32(truncatingIfNeeded: first >> 32)
        sequence = UInt64(littleEndian: payload.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        sendTime = payload.count >= Self.sizeWithTime
            ? UInt64(littleEndian: payload.loadUnaligned(fromByteOffset: 16, as: UInt64.self)) : nil
    }
}
