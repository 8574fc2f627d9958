/// One-way latencies in nanoseconds, counted in logarithmic buckets: each
/// power of two split into 8, so any value is placed within 12.5 %, in fixed
/// memory (64 × 8 counters), with no allocation per value.
///
/// Public rather than package, though Reporting is not a product: Swift 6.3 does not
/// inline an `@inlinable` member of a package type into another module, and
/// ``bucket(of:)`` runs per datagram in Engine's receiving loops.
public struct LatencyHistogram: Equatable, Sendable {
    @usableFromInline static let subBuckets = 8
    package static let bucketCount = 64 * subBuckets

    /// Counts per bucket (see ``bucket(of:)``).
    package private(set) var counts: [UInt64]
    /// Values recorded.
    package private(set) var total: UInt64 = 0
    /// The largest value recorded, exactly.
    package private(set) var maximum: UInt64 = 0

    /// An empty histogram.
    package init() { counts = Array(repeating: 0, count: Self.bucketCount) }

    package init(counts: [UInt64], total: UInt64, maximum: UInt64) {
        self.counts = counts
        self.total = total
        self.maximum = maximum
    }

    /// The bucket of `value`: values below 8 have a bucket each; above, the
    /// position of the highest bit and the next three bits choose it.
    /// Inlinable: a receiving thread calls it per datagram, from another module.
    @inlinable @inline(__always)
    package static func bucket(of value: UInt64) -> Int {
        if value < UInt64(subBuckets) { return Int(value) }
        let magnitude = 63 - value.leadingZeroBitCount          // ≥ 3
        let fraction = Int(value >> UInt64(magnitude - 3)) & (subBuckets - 1)
        return (magnitude - 2) * subBuckets + fraction
    }

    /// The smallest value that falls in `bucket`.
    static func lowerBound(of bucket: Int) -> UInt64 {
        if bucket < subBuckets { return UInt64(bucket) }
        let magnitude = bucket / subBuckets + 2
        let fraction = UInt64(bucket % subBuckets)
        return (UInt64(subBuckets) + fraction) << UInt64(magnitude - 3)
    }

    /// Counts one value (outside hot loops; they use a ``LatencyRecorder``).
    package mutating func record(_ nanoseconds: UInt64) {
        counts[Self.bucket(of: nanoseconds)] += 1
        total += 1
        maximum = max(maximum, nanoseconds)
    }

    /// Adds another histogram's counts.
    package mutating func merge(_ other: LatencyHistogram) {
        for index in 0..<Self.bucketCount { counts[index] += other.counts[index] }
        total += other.total
        maximum = max(maximum, other.maximum)
    }

    /// The value below which `fraction` of the values fall (the upper edge of
    /// its bucket, never above the maximum); nil when empty.
    package func percentile(_ fraction: Double) -> UInt64? {
        guard total > 0 else { return nil }
        let rank = max(1, UInt64((Double(total) * fraction).rounded(.up)))
        var seen: UInt64 = 0
        for index in 0..<Self.bucketCount {
            seen += counts[index]
            if seen >= rank {
                let upper = index + 1 < Self.bucketCount ? Self.lowerBound(of: index + 1) - 1 : UInt64.max
                return min(upper, maximum)
            }
        }
        return maximum
    }
}
