import Synchronization
import PacketIO
import Reporting

/// What a receiving thread's sequence headers said so far, published for
/// readers on other threads (the /metrics endpoint) the way ``ThreadCounters``
/// publishes datagram counts: one writer per slot, relaxed atomics, no locks.
///
/// Each slot holds the flow table's running totals (stored once per batch)
/// and the latency buckets, which the writer bumps in place: a relaxed load
/// and store of its own memory costs what the plain increment did.
package final class SequenceCounters: @unchecked Sendable {
    // Safety: written only through SequenceSlot (one writer per slot), read
    // through atomic loads; lives as long as this object, which every slot user keeps alive.
    private let base: UnsafeMutablePointer<Atomic<UInt64>>
    /// The number of slots, one per receiving thread.
    package let count: Int

    /// The running totals, then the latency buckets.
    static let totals = 7
    /// Words per slot, rounded up to 128 bytes so neighbours never share a cache line pair.
    static let slotWords = (totals + LatencyHistogram.bucketCount + 15) / 16 * 16

    /// Allocates `count` zeroed slots.
    package init(count: Int) {
        precondition(count >= 1, "at least one sequence slot")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * Self.slotWords * 8, alignment: 128)
        base = raw.bindMemory(to: Atomic<UInt64>.self, capacity: count * Self.slotWords)
        for index in 0..<(count * Self.slotWords) { (base + index).initialize(to: Atomic(0)) }
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }

    /// The slot of thread `index`. Valid while this object lives.
    package func slot(_ index: Int) -> SequenceSlot {
        precondition(index >= 0 && index < count, "sequence slot out of range")
        return SequenceSlot(fields: base + index * Self.slotWords)
    }

    /// Thread `index`'s totals as last published.
    package func read(_ index: Int) -> SequenceReading { slot(index).read() }
}

/// The totals a ``SequenceSlot`` publishes once per batch.
package struct SequenceTotals: Equatable, Sendable {
    /// Data datagrams the thread's flows should have brought so far: per flow
    /// with a place in the flow table (evicted ones included), its end count or
    /// one past its highest sequence, less its lowest seen (the unseen start is no loss).
    package var expected: UInt64 = 0
    /// Distinct data datagrams of those flows.
    package var unique: UInt64 = 0
    /// Data datagrams that came after a later one.
    package var reordered: UInt64 = 0
    /// Data datagrams that came again.
    package var duplicates: UInt64 = 0
    /// Headers that claimed the impossible or named a flow no key made.
    package var implausible: UInt64 = 0
    /// Data datagrams of flows beyond the flow table.
    package var untracked: UInt64 = 0
    /// One-way latencies recorded, summed, in nanoseconds (saturating).
    package var latencySum: UInt64 = 0

    /// All zero.
    package init() {}

    /// Data datagrams never received, per the sequence numbers so far.
    package var lost: UInt64 { expected > unique ? expected - unique : 0 }
}

/// One reading of a slot: its totals and its latency buckets.
package struct SequenceReading: Equatable, Sendable {
    /// The totals as of the writer's last batch.
    package var totals: SequenceTotals
    /// Latency counts per ``LatencyHistogram`` bucket, as of now.
    package var latencyBuckets: [UInt64]
}

/// One thread's place in a ``SequenceCounters``: a plain pointer, so the
/// receiving loop holds no class reference.
package struct SequenceSlot: @unchecked Sendable {
    // Safety: points into a SequenceCounters allocation that outlives every use.
    let fields: UnsafeMutablePointer<Atomic<UInt64>>

    /// Makes `totals` visible to readers. Only the slot's own thread may call it.
    @inline(__always)
    package func publish(_ totals: SequenceTotals) {
        fields[0].store(totals.expected, ordering: .relaxed)
        fields[1].store(totals.unique, ordering: .relaxed)
        fields[2].store(totals.reordered, ordering: .relaxed)
        fields[3].store(totals.duplicates, ordering: .relaxed)
        fields[4].store(totals.implausible, ordering: .relaxed)
        fields[5].store(totals.untracked, ordering: .relaxed)
        fields[6].store(totals.latencySum, ordering: .relaxed)
    }

    /// Counts one latency in `bucket`. Only the slot's own thread may call it:
    /// a load and a store, not a read-modify-write, because no one else writes.
    @inline(__always)
    package func countLatency(bucket: Int) {
        let field = fields + SequenceCounters.totals + bucket
        field.pointee.store(field.pointee.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
    }

    /// The latency count of `bucket`.
    package func latencyCount(bucket: Int) -> UInt64 {
        fields[SequenceCounters.totals + bucket].load(ordering: .relaxed)
    }

    /// The last published totals and the buckets as of now.
    package func read() -> SequenceReading {
        var totals = SequenceTotals()
        totals.expected = fields[0].load(ordering: .relaxed)
        totals.unique = fields[1].load(ordering: .relaxed)
        totals.reordered = fields[2].load(ordering: .relaxed)
        totals.duplicates = fields[3].load(ordering: .relaxed)
        totals.implausible = fields[4].load(ordering: .relaxed)
        totals.untracked = fields[5].load(ordering: .relaxed)
        totals.latencySum = fields[6].load(ordering: .relaxed)
        let buckets = (0..<LatencyHistogram.bucketCount).map { latencyCount(bucket: $0) }
        return SequenceReading(totals: totals, latencyBuckets: buckets)
    }
}
