import PacketIO
import Reporting

/// A receiving thread's latency counters: the buckets of a ``LatencyHistogram``
/// in memory allocated once, recorded into with no reference counting, and
/// turned into a histogram after the loop.
struct LatencyRecorder: ~Copyable {
    private let counts: UnsafeMutablePointer<UInt64>
    private var total: UInt64 = 0
    private var maximum: UInt64 = 0

    init() {
        counts = .allocate(capacity: LatencyHistogram.bucketCount)
        counts.initialize(repeating: 0, count: LatencyHistogram.bucketCount)
    }

    deinit { counts.deallocate() }

    @inline(__always)
    mutating func record(_ nanoseconds: UInt64) {
        counts[LatencyHistogram.bucket(of: nanoseconds)] &+= 1
        total &+= 1
        if nanoseconds > maximum { maximum = nanoseconds }
    }

    /// The counts so far as a value (allocates: call it after the loop).
    func histogram() -> LatencyHistogram {
        LatencyHistogram(counts: Array(UnsafeBufferPointer(start: counts, count: LatencyHistogram.bucketCount)),
                         total: total, maximum: maximum)
    }
}
