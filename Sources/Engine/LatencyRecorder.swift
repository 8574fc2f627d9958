import PacketIO
import Reporting

/// A receiving thread's latency counters: the buckets of a ``LatencyHistogram``
/// in a ``SequenceSlot`` (so other threads can read them while the run goes
/// on), recorded into with no reference counting, and turned into a histogram
/// after the loop.
struct LatencyRecorder: ~Copyable {
    private let slot: SequenceSlot
    private var total: UInt64 = 0
    private var maximum: UInt64 = 0
    /// Every value recorded, summed in nanoseconds; saturates.
    private(set) var sum: UInt64 = 0

    /// A recorder counting into `slot`'s buckets, which must be zero.
    init(slot: SequenceSlot) {
        self.slot = slot
    }

    @inline(__always)
    mutating func record(_ nanoseconds: UInt64) {
        slot.countLatency(bucket: LatencyHistogram.bucket(of: nanoseconds))
        total &+= 1
        sum = sum.addingSaturating(nanoseconds)
        if nanoseconds > maximum { maximum = nanoseconds }
    }

    /// The counts so far as a value (allocates: call it after the loop).
    func histogram() -> LatencyHistogram {
        var counts = [UInt64](repeating: 0, count: LatencyHistogram.bucketCount)
        for bucket in 0..<counts.count { counts[bucket] = slot.latencyCount(bucket: bucket) }
        return LatencyHistogram(counts: counts, total: total, maximum: maximum)
    }
}
