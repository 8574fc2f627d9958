/// A sender's key for its flow ids, so that a receiver given the key can tell
/// the sender's flows from a stranger's datagrams that merely carry the
/// header's magic.
///
/// A flow id is the flow's index (16 bits) and a 16-bit check the key derives
/// from that index. Without the key, a made-up flow id passes with odds of 1
/// in 65536. It is a check against strangers who cannot see the traffic, not
/// cryptographic authentication: whoever sees a datagram can replay its id.
public struct FlowKey: Hashable, Sendable, CustomStringConvertible {
    /// The 64 bits of the key.
    public let value: UInt64

    /// The key with these bits.
    public init(_ value: UInt64) { self.value = value }

    /// A fresh key from the system's random source.
    public static func random() -> FlowKey { FlowKey(UInt64.random(in: 0...UInt64.max)) }

    /// Reads the 16 hexadecimal digits ``description`` writes; nil for anything else.
    public init?(parsing text: String) {
        guard text.utf8.count == 16, let value = UInt64(text, radix: 16) else { return nil }
        self.value = value
    }

    /// Sixteen lowercase hexadecimal digits: `3f9a0c…`.
    public var description: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Flows a sender may have under one key.
    public static let maximumFlows = 1 << 16

    /// The id of flow number `index`: the index in the low 16 bits, the check above.
    @inline(__always)
    public func flowID(index: UInt16) -> UInt32 {
        UInt32(check(index)) << 16 | UInt32(index)
    }

    /// Whether `flow` is an id this key made.
    @inline(__always)
    public func made(_ flow: UInt32) -> Bool {
        UInt16(truncatingIfNeeded: flow >> 16) == check(UInt16(truncatingIfNeeded: flow))
    }

    /// 16 bits of a keyed mix of the index (the finalizer of splitmix64): every
    /// key bit and index bit moves about half the output bits.
    @inline(__always)
    private func check(_ index: UInt16) -> UInt16 {
        var x = value ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        x ^= x >> 31
        return UInt16(truncatingIfNeeded: x >> 48)
    }
}
