#if canImport(Glibc)
import Glibc
#endif

/// Reads ancillary data (`cmsg`) in place, without the C macros, so the walk
/// is inlined into the receive loop. The layout is Linux's on 64-bit: a header
/// of `size_t cmsg_len; int cmsg_level; int cmsg_type;` (16 bytes), data after
/// it, each message padded to 8 bytes. Tests check it against `CMSG_*`.
public enum ControlMessages {
    /// The bytes of a `cmsghdr`, which is also where its data begins (`CMSG_LEN(0)`).
    public static let headerSize = MemoryLayout<Int>.size + 2 * MemoryLayout<Int32>.size

    /// Rounds up to the alignment of control messages (`CMSG_ALIGN`).
    @inline(__always)
    public static func align(_ length: Int) -> Int {
        (length + MemoryLayout<Int>.size - 1) & ~(MemoryLayout<Int>.size - 1)
    }

    /// The first 32-bit value of the message with `level` and `type` in `control`, if any.
    @inline(__always)
    public static func value(in control: UnsafeRawBufferPointer, level: Int32, type: Int32) -> UInt32? {
        var offset = 0
        while offset + headerSize <= control.count {
            let length = control.loadUnaligned(fromByteOffset: offset, as: Int.self)
            // Compared with what is left rather than added to the offset: a length near
            // Int.max from a corrupt buffer must end the walk, not overflow.
            if length < headerSize || length > control.count - offset { return nil }
            if control.loadUnaligned(fromByteOffset: offset + MemoryLayout<Int>.size, as: Int32.self) == level,
               control.loadUnaligned(fromByteOffset: offset + MemoryLayout<Int>.size + 4, as: Int32.self) == type,
               length >= headerSize + 4 {
                return control.loadUnaligned(fromByteOffset: offset + headerSize, as: UInt32.self)
            }
            offset += align(length)
        }
        return nil
    }
}
