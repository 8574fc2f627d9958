import PacketIO
import Reporting

/// Admission and eviction: how an unkeyed flow that showed evidence gets a place,
/// and which flow gives its place up when the table is full.
///
/// The eviction hand sweeps the table like a clock: a flow whose count of
/// distinct datagrams moved since the hand last passed is active and is passed
/// over (its mark taken); a flow with ``provenFlow`` distinct datagrams or more
/// has proved itself and stays; the first other flow, quiet for a whole sweep,
/// goes. A sender's flow sends all the time and soon proves itself; the made-up
/// flows that stop after a few datagrams go quiet and are the ones that go.
/// The hand looks at ``evictionScan`` flows at most per admission, so an
/// admission costs a bounded time even when nothing can go.
extension FlowTable {
    /// Distinct datagrams after which a flow is never evicted.
    static let provenFlow: UInt64 = 1024
    /// Slots the eviction hand looks at, at most, per admission.
    static let evictionScan = 64

    /// Gives the candidate's flow a place with its account so far, evicting a
    /// quiet flow when the table is full; false (nothing changed) when none could go.
    /// The flow must have no place yet.
    mutating func admit(_ candidate: FlowCandidates.Candidate, source: UnsafeRawPointer?) -> Bool {
        if flowCount >= limit && !evictQuietFlow() { return false }
        guard let index = slot(of: candidate.flow, claim: true) else { return false }
        let window = windows + index * Self.windowWords
        var bits = candidate.bits
        while bits != 0 {
            Self.set(window, candidate.base + UInt64(bits.trailingZeroBitCount))
            bits &= bits - 1
        }
        let unique = UInt64(candidate.distinct)
        entries[index].lowest = candidate.base
        entries[index].highest = candidate.highest
        entries[index].unique = unique
        entries[index].reordered = candidate.reordered
        entries[index].duplicates = candidate.duplicates
        entries[index].seenUnique = 0
        setSource(index, source)
        expectedTotal &+= candidate.highest - candidate.base + 1
        uniqueTotal &+= unique
        reorderedTotal &+= candidate.reordered
        duplicatesTotal &+= candidate.duplicates
        return true
    }

    /// Moves the hand until it finds a flow to evict and evicts it; false when
    /// none was found among ``evictionScan`` flows (or two turns of the table).
    private mutating func evictQuietFlow() -> Bool {
        var examined = 0
        // Two turns at most: the first may only take the marks of a small table's flows.
        for _ in 0..<(2 * Self.capacity) {
            if examined == Self.evictionScan { break }
            let index = hand
            hand = (hand + 1) & (Self.capacity - 1)
            guard entries[index].used else { continue }
            examined += 1
            let unique = entries[index].unique
            if unique >= Self.provenFlow { continue }
            if unique != entries[index].seenUnique {
                entries[index].seenUnique = unique
                continue
            }
            evicted.add(summary(at: index))
            remove(index)
            return true
        }
        return false
    }

    /// Empties slot `index` and moves the entries after it in its probe run back,
    /// so that every entry stays reachable from its home slot (linear probing
    /// without tombstones).
    private mutating func remove(_ index: Int) {
        if entries[index].source == nil { sourcesMissing -= 1 }
        let mask = Self.capacity - 1
        var hole = index
        var next = (index + 1) & mask
        while entries[next].used {
            // The entry at `next` may fill the hole unless its home lies after the hole, up to `next`.
            let home = home(of: entries[next].flow)
            if (next - home) & mask >= (next - hole) & mask {
                move(from: next, to: hole)
                hole = next
            }
            next = (next + 1) & mask
        }
        entries[hole] = Entry()
        (windows + hole * Self.windowWords).update(repeating: 0, count: Self.windowWords)
        flowCount -= 1
    }

    private func move(from source: Int, to target: Int) {
        entries[target] = entries[source]
        (windows + target * Self.windowWords).update(from: windows + source * Self.windowWords, count: Self.windowWords)
    }
}
