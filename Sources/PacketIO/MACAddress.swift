/// An Ethernet (MAC) address: the destination and source of a frame that
/// ``XDPTransmitSocket`` sends, written by ``UDPFrameTemplate``.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    /// The six octets in the low 48 bits, the first octet highest.
    public let value: UInt64

    /// The address whose octets are the low 48 bits of `value`, the first highest.
    public init(value: UInt64) { self.value = value & 0xffff_ffff_ffff }

    /// Reads `aa:bb:cc:dd:ee:ff` (six pairs of hex digits, colons between); nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var value: UInt64 = 0
        for part in parts {
            guard part.count == 2, part.allSatisfy(\.isHexDigit), let octet = UInt8(part, radix: 16) else { return nil }
            value = value << 8 | UInt64(octet)
        }
        self.value = value
    }

    /// Reads six octets, as the kernel writes one (`NDA_LLADDR`, say); nil unless `bytes` holds exactly six.
    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 6 else { return nil }
        value = bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// Octet `index` (0...5), the first one first.
    public func octet(_ index: Int) -> UInt8 {
        precondition(index >= 0 && index < 6, "a MAC address has six octets")
        return UInt8(truncatingIfNeeded: value >> UInt64(40 - 8 * index))
    }

    /// Writes the six octets at `pointer`, first octet first.
    public func write(to pointer: UnsafeMutableRawPointer) {
        for index in 0..<6 { pointer.storeBytes(of: octet(index), toByteOffset: index, as: UInt8.self) }
    }

    /// `aa:bb:cc:dd:ee:ff`, lowercase.
    public var description: String {
        (0..<6).map { index in
            let text = String(octet(index), radix: 16)
            return text.count == 1 ? "0" + text : text
        }.joined(separator: ":")
    }
}
