import Synchronization
import PacketIO
import Reporting

/// Counters for a group of threads with any number of 64-bit words per thread:
/// one writer per slot, any number of readers, no locks. What ``ThreadCounters``
/// does for the six datagram counters, for runs that count other things (the
/// echo's replies by cause, the ping's replies and its two latency histograms).
/// Each slot starts on its own 128-byte block, so writers never share a cache line pair.
package final class WordCounters: @unchecked Sendable {
    // Safety: written only through WordSlot (one writer per slot, atomic stores),
    // read with atomic loads; lives as long as this object, which every slot user keeps alive.
    private let base: UnsafeMutablePointer<Atomic<UInt64>>
    /// The number of slots, one per thread.
    package let count: Int
    /// Words per slot as asked.
    package let words: Int
    private let stride: Int

    /// Allocates `count` slots of `words` zeroed words.
    package init(count: Int, words: Int) {
        precondition(count >= 1 && words >= 1, "at least one slot of one word")
        self.count = count
        self.words = words
        stride = (words + 15) / 16 * 16
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * stride * 8, alignment: 128)
        base = raw.bindMemory(to: Atomic<UInt64>.self, capacity: count * stride)
        for index in 0..<(count * stride) { (base + index).initialize(to: Atomic(0)) }
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }

    /// The slot of thread `index`. Valid while this object lives.
    package func slot(_ index: Int) -> WordSlot {
        precondition(index >= 0 && index < count, "counter slot out of range")
        return WordSlot(fields: base + index * stride, words: words)
    }

    /// Every slot's words, summed word by word (saturating).
    package func sum() -> [UInt64] {
        var total = [UInt64](repeating: 0, count: words)
        for index in 0..<count {
            let values = slot(index).read()
            for word in 0..<words { total[word] = total[word].addingSaturating(values[word]) }
        }
        return total
    }
}

/// One thread's words inside a ``WordCounters``: a plain pointer, so the loop
/// that writes it holds no class reference.
package struct WordSlot: @unchecked Sendable {
    // Safety: points into a WordCounters allocation that outlives every use.
    let fields: UnsafeMutablePointer<Atomic<UInt64>>
    /// Words in the slot.
    package let words: Int

    /// Makes `value` the word at `index` for readers. Only the slot's own thread may call it.
    @inline(__always)
    package func store(_ value: UInt64, at index: Int) {
        fields[index].store(value, ordering: .relaxed)
    }

    /// Adds one to the word at `index`: a load and a store, not a read-modify-write,
    /// because no one else writes it. Only the slot's own thread may call it.
    @inline(__always)
    package func bump(at index: Int) {
        fields[index].store(fields[index].load(ordering: .relaxed) &+ 1, ordering: .relaxed)
    }

    /// The word at `index` as last stored.
    @inline(__always)
    package func load(at index: Int) -> UInt64 { fields[index].load(ordering: .relaxed) }

    /// Every word, as last stored (allocates: for readers, not the loop).
    package func read() -> [UInt64] { (0..<words).map { load(at: $0) } }
}
