/// Flows the flow table does not hold yet, each with what it has shown so far:
/// the first step of admission on evidence. A flow earns a place in the flow
/// table (and its datagrams an account) by showing ``evidence`` distinct
/// sequence numbers within ``span`` of each other, or an end count one past
/// an unbroken run of the numbers it showed; until then its datagrams are unjudged, in no account.
/// A sender's flow does that with its first few datagrams; a stranger's made-up
/// flow with random numbers never does, and one that stops after a datagram or
/// two never takes a place.
///
/// Fixed memory: ``buckets`` of ``ways`` candidates each, a bucket chosen by a
/// hash with a random multiplier (so chosen flow ids cannot crowd one bucket);
/// a newcomer to a full bucket replaces the candidate touched least recently.
/// Each candidate keeps the exact account of what it showed (a bit per
/// sequence number of its span, its late and repeated datagrams), so a flow
/// admitted carries an account as exact as if it had had a place from its first datagram.
struct FlowCandidates: ~Copyable {
    static let buckets = 4096  // a power of two
    static let ways = 4
    static let capacity = buckets * ways
    /// How far apart, at most, the sequence numbers a candidate shows lie.
    static let span: UInt64 = 64
    /// Distinct sequence numbers within the span that earn a flow its place.
    static let evidence = 4

    struct Candidate {
        var flow: UInt32 = 0
        var used = false
        /// The highest sequence seen, as an offset from `base`.
        var top: UInt8 = 0
        /// The lowest sequence seen.
        var base: UInt64 = 0
        /// Bit i: sequence `base + i` arrived.
        var bits: UInt64 = 0
        var reordered: UInt64 = 0
        var duplicates: UInt64 = 0
        /// Data datagrams of the current span, distinct and repeated.
        var datagrams: UInt64 = 0
        /// When it was last touched, for replacement.
        var stamp: UInt64 = 0

        /// Distinct sequence numbers seen.
        var distinct: Int { bits.nonzeroBitCount }
        /// The highest sequence seen.
        var highest: UInt64 { base + UInt64(top) }
    }

    /// What a datagram did to its candidate.
    enum Step {
        /// A sequence number it had not shown.
        case fresh
        /// One it had shown already.
        case repeated
        /// One outside its span: the candidate starts again from it (what it
        /// showed before stays unjudged).
        case restarted
        /// A flow it did not hold: a new candidate.
        case created
    }

    /// The candidates; nil in a tally with flow keys, which admits keyed flows at once
    /// (so that a keyed receiver allocates nothing for them).
    private let storage: UnsafeMutablePointer<Candidate>?
    private var candidates: UnsafeMutablePointer<Candidate> { storage! }
    private let multiplier: UInt64
    private var clock: UInt64 = 0

    /// Empty candidates, when `enabled`; `seed` makes the bucket hash repeatable (tests, fuzzing).
    init(enabled: Bool = true, seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
        if enabled {
            storage = .allocate(capacity: Self.capacity)
            storage!.initialize(repeating: Candidate(), count: Self.capacity)
        } else {
            storage = nil
        }
        multiplier = FlowTable.hashMultiplier(seed: seed)
    }

    deinit { storage?.deallocate() }

    /// The candidate at `index`, as it stands.
    subscript(index: Int) -> Candidate { candidates[index] }

    /// The candidate of `flow`, nil when there is none.
    func index(of flow: UInt32) -> Int? {
        let first = bucket(of: flow) * Self.ways
        for index in first..<(first + Self.ways) where candidates[index].used && candidates[index].flow == flow {
            return index
        }
        return nil
    }

    /// Records data datagram `sequence` (below 2^48) of `flow`, making it a candidate
    /// when it is none: its index, and what the datagram did.
    mutating func offer(flow: UInt32, sequence: UInt64) -> (index: Int, step: Step) {
        clock &+= 1
        let index: Int
        let step: Step
        if let found = self.index(of: flow) {
            index = found
            step = Self.note(sequence, in: candidates + index)
        } else {
            index = place(for: flow)
            candidates[index] = Candidate(flow: flow, used: true, base: sequence, bits: 1)
            step = .created
        }
        // Through the element's pointer: an inout access to `candidates[index]`'s fields
        // crashes the compiler under -sanitize=thread (Swift 6.3.1, "Invalid bitcast").
        let candidate = candidates + index
        if step == .restarted { candidate.pointee.datagrams = 0 }
        candidate.pointee.datagrams &+= 1
        candidate.pointee.stamp = clock
        return (index, step)
    }

    /// Whether the candidate at `index` should try for a place now that it showed
    /// a new number: at ``evidence`` distinct numbers and at each power of two
    /// after, so a flow refused for want of room tries a few times, not per datagram.
    func hasEvidence(_ index: Int) -> Bool {
        let distinct = candidates[index].distinct
        return distinct >= Self.evidence && (distinct == Self.evidence || distinct & (distinct - 1) == 0)
    }

    /// Whether an end count `count` closes what the candidate at `index` showed:
    /// one past its highest, with no number missing between its lowest and highest.
    /// An end claims, it proves nothing: it admits only a flow that then claims no loss.
    func isClosed(_ index: Int, by count: UInt64) -> Bool {
        let candidate = candidates[index]
        let complete: UInt64 = candidate.top == 63 ? .max : (1 << (UInt64(candidate.top) + 1)) - 1
        return count == candidate.highest + 1 && candidate.bits == complete
    }

    /// Frees the candidate at `index` (it got its place).
    mutating func remove(_ index: Int) {
        candidates[index] = Candidate()
    }

    /// The bucket of `flow`: the top bits of a multiply by a random odd number.
    @inline(__always)
    private func bucket(of flow: UInt32) -> Int {
        Int(truncatingIfNeeded: (UInt64(flow) &* multiplier) >> UInt64(64 - Self.buckets.trailingZeroBitCount))
    }

    /// A free way of `flow`'s bucket, or the one touched least recently.
    private func place(for flow: UInt32) -> Int {
        let first = bucket(of: flow) * Self.ways
        var oldest = first
        for index in first..<(first + Self.ways) {
            if !candidates[index].used { return index }
            if candidates[index].stamp < candidates[oldest].stamp { oldest = index }
        }
        return oldest
    }

    /// Adds `sequence` to `candidate`'s span, or starts a new span from it.
    private static func note(_ sequence: UInt64, in pointer: UnsafeMutablePointer<Candidate>) -> Step {
        var candidate = pointer.pointee
        defer { pointer.pointee = candidate }
        if sequence >= candidate.base {
            let offset = sequence - candidate.base
            if offset < span {
                let bit: UInt64 = 1 << offset
                if candidate.bits & bit != 0 {
                    candidate.duplicates &+= 1
                    return .repeated
                }
                if offset < UInt64(candidate.top) { candidate.reordered &+= 1 } else { candidate.top = UInt8(offset) }
                candidate.bits |= bit
                return .fresh
            }
        } else {
            let shift = candidate.base - sequence
            if shift < span && shift + UInt64(candidate.top) < span {
                candidate.bits = candidate.bits << shift | 1
                candidate.top += UInt8(shift)
                candidate.base = sequence
                candidate.reordered &+= 1
                return .fresh
            }
        }
        candidate.base = sequence
        candidate.bits = 1
        candidate.top = 0
        candidate.reordered = 0
        candidate.duplicates = 0
        return .restarted
    }
}
