import HostStats

/// This host's tag for ``PacketIO/SequenceHeader``: 8 bits of
/// `/proc/sys/kernel/random/boot_id`, so a receiver can tell whether a
/// sender's CLOCK_MONOTONIC is its own before it measures one-way latency.
/// One foreign host in 255 collides; such latencies are still implausible
/// (wildly large) and the histogram bounds them.
package enum HostTag {
    /// Never 0, which a header uses for "unknown".
    package static let local: UInt8 = {
        guard let text = try? HostFiles().read("/proc/sys/kernel/random/boot_id") else { return 0 }
        var hash: UInt32 = 2_166_136_261  // FNV-1a
        for byte in text.utf8 where byte != UInt8(ascii: "\n") { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let folded = UInt8(truncatingIfNeeded: hash ^ hash >> 8 ^ hash >> 16 ^ hash >> 24)
        return folded == 0 ? 1 : folded
    }()
}
