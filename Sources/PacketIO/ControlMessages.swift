#if canImport(Glibc)
import Glibc
#endif

/// Reads ancillary data (`cmsg`) in place, without the C macros, so the walk
/// is inlined into the receive loop. The layout is Linux's on 64-bit: a header
/// of `size_t cmsg_len; int cmsg_level; int cmsg_type;` (16 bytes), data after
/// it, each message padded to 8 bytes. Tests check it against `CMSG_*`.
///
/// The bytes come from the kernel, but they are treated as untrusted input all
/// the same: every length is checked against the area before it is used, the
/// walk moves forward by at least one header per step, and no arithmetic can
/// overflow, so any content ends the walk with a defined answer.
public enum ControlMessages {
    /// The bytes of a `cmsghdr`, which is also where its data begins (`CMSG_LEN(0)`).
    public static let headerSize = MemoryLayout<Int>.size + 2 * MemoryLayout<Int32>.size

    /// Rounds up to the alignment of control messages (`CMSG_ALIGN`).
    /// - Precondition: 0 ≤ `length` ≤ `Int.max - 7` (any real buffer's size).
    @inline(__always)
    public static func align(_ length: Int) -> Int {
        (length + MemoryLayout<Int>.size - 1) & ~(MemoryLayout<Int>.size - 1)
    }

    /// The space one control message with `payload` data bytes takes (`CMSG_SPACE`).
    @inline(__always)
    public static func space(payload: Int) -> Int {
        headerSize + align(payload)
    }

    /// The data of the first control message with `level` and `type` in
    /// `control`, bounded by both its own length and the area; nil when there
    /// is none, or when a malformed header ends the walk before it.
    @inline(__always)
    public static func data(in control: UnsafeRawBufferPointer, level: Int32, type: Int32) -> UnsafeRawBufferPointer? {
        let total = control.count
        var offset = 0
        // `offset` never exceeds `total`, so `total - offset` cannot overflow.
        while total - offset >= headerSize {
            // cmsg_len is a size_t: read it unsigned, so a huge value is not a negative Int.
            let declared = control.loadUnaligned(fromByteOffset: offset, as: UInt.self)
            guard declared >= UInt(headerSize), declared <= UInt(total - offset) else { return nil }
            let length = Int(declared)
            if control.loadUnaligned(fromByteOffset: offset + MemoryLayout<Int>.size, as: Int32.self) == level,
               control.loadUnaligned(fromByteOffset: offset + MemoryLayout<Int>.size + 4, as: Int32.self) == type {
                // Safety: headerSize ≤ length ≤ total - offset, so the range lies inside `control`.
                return UnsafeRawBufferPointer(rebasing: control[(offset + headerSize)..<(offset + length)])
            }
            // length ≤ total, so aligning it cannot overflow; a step past the end ends the walk.
            let step = align(length)
            if step >= total - offset { return nil }
            offset += step
        }
        return nil
    }

    /// The first 32-bit value of the message with `level` and `type` in `control`,
    /// if any (nil too when its data is shorter than 4 bytes).
    @inline(__always)
    public static func value(in control: UnsafeRawBufferPointer, level: Int32, type: Int32) -> UInt32? {
        guard let data = data(in: control, level: level, type: type), data.count >= 4 else { return nil }
        return data.loadUnaligned(as: UInt32.self)
    }
}
