/// Latencies in nanoseconds, counted in logarithmic buckets: each power of two
/// split into 2^``bits`` (8 by default, so any value is placed within 12.5 %; a
/// ping's round trips use 128, within 0.8 %), in fixed memory (64 × 2^bits
/// counters), with no allocation per value.
///
/// Public rather than package, though Reporting is not a product: Swift 6.3 does not
/// inline an `@inlinable` member of a package type into another module, and
/// ``bucket(of:bits:)`` runs per datagram in Engine's receiving loops.
public struct LatencyHistogram: Equatable, Sendable {
    /// The buckets of the default layout (``bits`` 3).
    package static let bucketCount = 64 << 3

    /// Each power of two is split into 2^bits buckets.
    package let bits: Int
    /// Counts per bucket (see ``bucket(of:bits:)``).
    package private(set) var counts: [UInt64]
    /// Values recorded.
    package private(set) var total: UInt64 = 0
    /// The largest value recorded, exactly.
    package private(set) var maximum: UInt64 = 0

    /// The buckets of a histogram that splits each power of two into 2^`bits`.
    package static func bucketCount(bits: Int) -> Int { 64 << bits }

    /// An empty histogram; `bits` 1...10.
    package init(bits: Int = 3) {
        precondition(bits >= 1 && bits <= 10, "histogram bits must be 1...10")
        self.bits = bits
        counts = Array(repeating: 0, count: Self.bucketCount(bits: bits))
    }

    /// A histogram of these counts, whose number says the layout (64 × 2^bits).
    package init(counts: [UInt64], total: UInt64, maximum: UInt64) {
        let bits = (counts.count / 64).trailingZeroBitCount
        precondition(bits >= 1 && counts.count == Self.bucketCount(bits: bits), "not a histogram layout: \(counts.count) buckets")
        self.bits = bits
        self.counts = counts
        self.total = total
        self.maximum = maximum
    }

    /// The bucket of `value`: values below 2^bits have a bucket each; above, the
    /// position of the highest bit and the next `bits` bits choose it.
    /// Inlinable: a receiving thread calls it per datagram, from another module.
    @inlinable @inline(__always)
    package static func bucket(of value: UInt64, bits: Int = 3) -> Int {
        let sub = 1 << bits
        if value < UInt64(sub) { return Int(value) }
        let magnitude = 63 - value.leadingZeroBitCount          // ≥ bits
        let fraction = Int(value >> UInt64(magnitude - bits)) & (sub - 1)
        return (magnitude - bits + 1) * sub + fraction
    }

    /// The smallest value that falls in `bucket`.
    static func lowerBound(of bucket: Int, bits: Int = 3) -> UInt64 {
        let sub = 1 << bits
        if bucket < sub { return UInt64(bucket) }
        let magnitude = bucket / sub + bits - 1
        let fraction = UInt64(bucket % sub)
        return (UInt64(sub) + fraction) << UInt64(magnitude - bits)
    }

    /// The largest value that falls in `bucket`.
    package func upperBound(of bucket: Int) -> UInt64 {
        bucket + 1 < counts.count ? Self.lowerBound(of: bucket + 1, bits: bits) - 1 : UInt64.max
    }

    /// Counts one value (outside hot loops; they use a ``LatencyRecorder``).
    package mutating func record(_ nanoseconds: UInt64) {
        counts[Self.bucket(of: nanoseconds, bits: bits)] += 1
        total += 1
        maximum = max(maximum, nanoseconds)
    }

    /// Adds another histogram's counts.
    package mutating func merge(_ other: LatencyHistogram) {
        precondition(other.bits == bits, "merging histograms of different layouts")
        for index in counts.indices { counts[index] += other.counts[index] }
        total += other.total
        maximum = max(maximum, other.maximum)
    }

    /// The value below which `fraction` of the values fall (the upper edge of
    /// its bucket, never above the maximum); nil when empty.
    package func percentile(_ fraction: Double) -> UInt64? {
        guard total > 0 else { return nil }
        let rank = max(1, UInt64((Double(total) * fraction).rounded(.up)))
        var seen: UInt64 = 0
        for index in counts.indices {
            seen += counts[index]
            if seen >= rank { return min(upperBound(of: index), maximum) }
        }
        return maximum
    }
}
