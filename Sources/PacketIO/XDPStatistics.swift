internal import CMPPSLinux

/// An AF_XDP socket's drop counters (`getsockopt(XDP_STATISTICS)`, Linux 4.18 or later):
/// frames the kernel redirected to the socket but could not hand over.
public struct XDPStatistics: Equatable, Sendable {
    /// Dropped for another reason: a frame longer than the UMEM frame, say (`rx_dropped`).
    public var dropped: UInt64 = 0
    /// Dropped because the RX ring was full: the reading thread did not keep up (`rx_ring_full`).
    public var ringFull: UInt64 = 0
    /// Times the kernel found the fill ring empty, with no frame to copy into (`rx_fill_ring_empty_descs`).
    public var fillRingEmpty: UInt64 = 0
    /// Descriptors the kernel found invalid (`rx_invalid_descs`).
    public var invalidDescriptors: UInt64 = 0
    /// Frames the reader found no whole UDP datagram for its address in (``UDPFrame``):
    /// counted by the reader, not the kernel; 0 from ``XDPSocket/statistics()``.
    public var unparsedFrames: UInt64 = 0

    /// All zero.
    public init() {}

    /// The counters from `a`, plus `b`'s, each saturating.
    public static func + (a: XDPStatistics, b: XDPStatistics) -> XDPStatistics {
        var sum = XDPStatistics()
        sum.dropped = a.dropped.addingSaturating(b.dropped)
        sum.ringFull = a.ringFull.addingSaturating(b.ringFull)
        sum.fillRingEmpty = a.fillRingEmpty.addingSaturating(b.fillRingEmpty)
        sum.invalidDescriptors = a.invalidDescriptors.addingSaturating(b.invalidDescriptors)
        sum.unparsedFrames = a.unparsedFrames.addingSaturating(b.unparsedFrames)
        return sum
    }

    /// How the counters moved since `earlier` (0 for a counter that went back).
    public func since(_ earlier: XDPStatistics) -> XDPStatistics {
        var change = XDPStatistics()
        change.dropped = dropped >= earlier.dropped ? dropped - earlier.dropped : 0
        change.ringFull = ringFull >= earlier.ringFull ? ringFull - earlier.ringFull : 0
        change.fillRingEmpty = fillRingEmpty >= earlier.fillRingEmpty ? fillRingEmpty - earlier.fillRingEmpty : 0
        change.invalidDescriptors = invalidDescriptors >= earlier.invalidDescriptors ? invalidDescriptors - earlier.invalidDescriptors : 0
        change.unparsedFrames = unparsedFrames >= earlier.unparsedFrames ? unparsedFrames - earlier.unparsedFrames : 0
        return change
    }

    /// Frames lost at the socket: dropped, ring full and invalid (the fill ring's count is of attempts, not frames).
    public var lostFrames: UInt64 {
        dropped.addingSaturating(ringFull).addingSaturating(invalidDescriptors)
    }

    /// The kernel's struct, as `getsockopt(XDP_STATISTICS)` fills it.
    init(_ raw: xdp_statistics) {
        dropped = raw.rx_dropped
        ringFull = raw.rx_ring_full
        fillRingEmpty = raw.rx_fill_ring_empty_descs
        invalidDescriptors = raw.rx_invalid_descs
    }
}
