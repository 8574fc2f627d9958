import PacketIO
import Reporting

/// Per-flow loss, reordering and duplicate accounting for one receiving thread,
/// in memory fixed at creation: up to ``trackedFlows`` flows, each with a window
/// of the last ``windowBits`` sequence numbers to tell a late arrival from a repeat.
/// ``record(flow:sequence:source:)`` gives a flow a place at its first datagram
/// (keyed flows: the key is the evidence); datagrams of flows beyond the capacity
/// are counted in ``untracked``. Unkeyed flows come in through ``admit(_:source:)``
/// once they showed evidence (``FlowCandidates``), and may evict a flow that went
/// quiet without proving itself (FlowTable+Eviction.swift).
///
/// A flow's account starts at the lowest sequence seen: the datagrams before it
/// are its unseen start, no evidence of loss (a made-up flow starts anywhere).
///
/// Headers come from the network: a header that claims what no sender of
/// mpps could have sent is counted in ``implausible`` and changes no flow.
/// Implausible are: a sequence number or end count of 2^48 or more; a
/// sequence more than 2^32 from its flow's highest; an end for a flow that
/// sent no data here; an end count below what already arrived or far past
/// it (without a key: a lost tail longer than what the flow delivered); of
/// two ends that disagree, the larger; an end that data later passes.
struct FlowTable: ~Copyable {
    static let capacity = 4096  // a power of two
    /// Flows tracked at most: three quarters of the slots, so probing stays short.
    static let trackedFlows = capacity / 4 * 3
    static let windowBits = 1024
    static let windowWords = windowBits / 64

    struct Entry {
        var flow: UInt32 = 0
        var used = false
        var lowest: UInt64 = 0
        var highest: UInt64 = 0
        var unique: UInt64 = 0
        var duplicates: UInt64 = 0
        var reordered: UInt64 = 0
        var sent: UInt64 = 0
        var ended = false
        /// `unique` when the eviction hand last passed: unchanged means quiet since.
        var seenUnique: UInt64 = 0
        /// Where the flow came from, when the receiver recorded it.
        var source: SocketAddress? = nil
    }

    // Internal, not private: FlowTable+Eviction.swift moves entries.
    let entries: UnsafeMutablePointer<Entry>
    let windows: UnsafeMutablePointer<UInt64>
    /// The hash's odd multiplier, random per table: flow ids chosen to share
    /// low bits cannot pile up in one probe run.
    let multiplier: UInt64
    /// Flows tracked at most (``trackedFlows`` unless a test asks for fewer).
    let limit: Int
    /// Where the eviction hand stands.
    var hand = 0
    /// What is kept of the flows evicted: their figures stay in the totals.
    var evicted = FlowTotals()
    var flowCount = 0
    /// Flows with a place whose source is not known yet: the receiver asks the
    /// kernel for sources while there are any (``fillSource(of:from:)``).
    /// Internal, not private: FlowTable+Eviction.swift removes entries.
    var sourcesMissing = 0
    /// Data datagrams whose flow found no room in the table.
    private(set) var untracked: UInt64 = 0
    /// Datagrams whose header claimed the impossible (see the type's comment).
    private(set) var implausible: UInt64 = 0
    /// Running totals over every flow, kept as the entries change so that a
    /// live reading needs no walk of the table: the sum of each flow's
    /// expected count (its end count, else one past its highest, less its lowest), and of its
    /// unique, reordered and duplicate counts, evicted flows included. Wrapping
    /// arithmetic: a flow's expected count is below 2^48, so the true sums stay
    /// below 2^64 unless 65536 flows each claim 2^48 (2^32 datagrams of jumps),
    /// and a decrease through wrapping ends exact.
    var expectedTotal: UInt64 = 0
    var uniqueTotal: UInt64 = 0
    var reorderedTotal: UInt64 = 0
    var duplicatesTotal: UInt64 = 0

    /// Sequence numbers and end counts a plausible header stays below: three
    /// days of one flow at a billion datagrams a second, and far enough from
    /// 2^64 that no sum of them in a report can overflow.
    static let sequenceLimit: UInt64 = 1 << 48
    /// The farthest a plausible sequence lies from its flow's highest: over
    /// 200 s of a flow at 20 M datagrams/s with every datagram lost between.
    static let plausibleJump: UInt64 = 1 << 32

    /// An empty table of `limit` flows at most (1...``trackedFlows``); `seed` makes
    /// the hash repeatable (tests, fuzzing).
    init(limit: Int = Self.trackedFlows, seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
        precondition(limit >= 1 && limit <= Self.trackedFlows, "flow table limit out of range")
        self.limit = limit
        multiplier = Self.hashMultiplier(seed: seed)
        // One allocation for the entries and their windows (with the candidates, a
        // receiver without keys allocates no more than one with keys did before them).
        let entryBytes = Self.capacity * MemoryLayout<Entry>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: entryBytes + Self.capacity * Self.windowWords * 8,
                                                   alignment: max(MemoryLayout<Entry>.alignment, 8))
        entries = raw.bindMemory(to: Entry.self, capacity: Self.capacity)
        entries.initialize(repeating: Entry(), count: Self.capacity)
        windows = (raw + entryBytes).bindMemory(to: UInt64.self, capacity: Self.capacity * Self.windowWords)
        windows.initialize(repeating: 0, count: Self.capacity * Self.windowWords)
    }

    deinit {
        entries.deinitialize(count: Self.capacity)
        UnsafeMutableRawPointer(entries).deallocate()
    }

    /// An odd multiplier with bits spread over the whole word, from any seed (the
    /// finalizer of splitmix64): a small one would send every flow id to slot 0.
    static func hashMultiplier(seed: UInt64) -> UInt64 {
        var x = seed &+ 0x9E37_79B9_7F4A_7C15
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return (x ^ (x >> 31)) | 1
    }

    /// Where `flow`'s probe starts: the top bits of a multiply by a random odd number.
    @inline(__always)
    func home(of flow: UInt32) -> Int {
        Int(truncatingIfNeeded: (UInt64(flow) &* multiplier) >> UInt64(64 - Self.capacity.trailingZeroBitCount))
    }

    /// The slot of `flow`, claiming an empty one when `claim`; nil when the
    /// flow is not there and may not be, or the table is full.
    @inline(__always)
    mutating func slot(of flow: UInt32, claim: Bool) -> Int? {
        var index = home(of: flow)
        var probes = 0
        while probes < Self.capacity {
            if !entries[index].used {
                // Keep a quarter free so probes stay short.
                guard claim, flowCount < limit else { return nil }
                entries[index].used = true
                entries[index].flow = flow
                flowCount += 1
                return index
            }
            if entries[index].flow == flow { return index }
            index = (index + 1) & (Self.capacity - 1)
            probes += 1
        }
        return nil
    }

    /// Records data datagram `sequence` of `flow`, giving the flow a place (with
    /// `source`, a sockaddr) at its first datagram; false when the header was
    /// implausible (counted, and nothing else changed).
    @inline(__always)
    @discardableResult
    mutating func record(flow: UInt32, sequence: UInt64, source: UnsafeRawPointer? = nil) -> Bool {
        guard sequence < Self.sequenceLimit else {
            implausible &+= 1
            return false
        }
        guard let index = slot(of: flow, claim: true) else {
            untracked &+= 1
            return true
        }
        let entry = entries + index
        if entry.pointee.unique == 0 && entry.pointee.duplicates == 0 {
            entry.pointee.lowest = sequence
            entry.pointee.highest = sequence
            entry.pointee.unique = 1
            expectedTotal &+= 1
            uniqueTotal &+= 1
            Self.set(windows + index * Self.windowWords, sequence)
            setSource(index, source)
            return true
        }
        return update(index, sequence: sequence)
    }

    /// Gives the flow at `index`, which has just got its place, the source
    /// `source` (a sockaddr), or counts it among those whose source is missing.
    @inline(__always)
    mutating func setSource(_ index: Int, _ source: UnsafeRawPointer?) {
        let address = source.flatMap(SocketAddress.init)
        entries[index].source = address
        if address == nil { sourcesMissing += 1 }
    }

    /// Gives `flow` the source `source` (a sockaddr) when it has a place and no
    /// source yet. A receiver that records sources only while some are missing
    /// calls this for each datagram it counts then.
    @inline(never)
    mutating func fillSource(of flow: UInt32, from source: UnsafeRawPointer) {
        guard let index = slot(of: flow, claim: false), entries[index].source == nil,
              let address = SocketAddress(source) else { return }
        entries[index].source = address
        sourcesMissing -= 1
    }

    /// Records data datagram `sequence` of `flow` when the flow has a place;
    /// nil when it has none (nothing changed), else as ``record(flow:sequence:source:)``.
    @inline(__always)
    mutating func recordIfTracked(flow: UInt32, sequence: UInt64) -> Bool? {
        guard sequence < Self.sequenceLimit else {
            implausible &+= 1
            return false
        }
        guard let index = slot(of: flow, claim: false) else { return nil }
        return update(index, sequence: sequence)
    }

    /// Records `sequence` in the flow at `index`, which has seen data.
    @inline(__always)
    private mutating func update(_ index: Int, sequence: UInt64) -> Bool {
        let window = windows + index * Self.windowWords
        let entry = entries + index
        let highest = entry.pointee.highest
        // Both are below 2^48: the differences cannot wrap.
        let distance = sequence > highest ? sequence - highest : highest - sequence
        if distance > Self.plausibleJump {
            implausible &+= 1
            return false
        }
        if entry.pointee.ended && sequence >= entry.pointee.sent {
            // Data past the end count: the end was not the sender's (its end is one past
            // its last sequence). Forget it; the data, far more numerous, wins.
            expectedTotal &+= (highest &+ 1) &- entry.pointee.sent
            entry.pointee.ended = false
            entry.pointee.sent = 0
            implausible &+= 1
        }
        if sequence > highest {
            if distance >= UInt64(Self.windowBits) {
                window.update(repeating: 0, count: Self.windowWords)
            } else {
                // Forget the positions the window moves past: they now stand for newer numbers.
                var position = highest + 1
                while position < sequence {
                    Self.clear(window, position)
                    position += 1
                }
            }
            Self.set(window, sequence)
            entry.pointee.highest = sequence
            entry.pointee.unique &+= 1
            uniqueTotal &+= 1
            // An ended flow expects its end count, which data below it does not move.
            if !entry.pointee.ended { expectedTotal &+= sequence &- highest }
        } else if distance >= UInt64(Self.windowBits) {
            // Too late to tell a repeat from a straggler: count it as a straggler.
            Self.lower(entry, to: sequence, expected: &expectedTotal)
            entry.pointee.reordered &+= 1
            entry.pointee.unique &+= 1
            reorderedTotal &+= 1
            uniqueTotal &+= 1
        } else if Self.isSet(window, sequence) {
            entry.pointee.duplicates &+= 1
            duplicatesTotal &+= 1
        } else {
            Self.set(window, sequence)
            Self.lower(entry, to: sequence, expected: &expectedTotal)
            entry.pointee.reordered &+= 1
            entry.pointee.unique &+= 1
            reorderedTotal &+= 1
            uniqueTotal &+= 1
        }
        return true
    }

    /// Records an end-of-flow datagram: the sender sent `count` data datagrams
    /// on `flow`. False when it was implausible (counted, nothing else changed).
    /// With `boundedTail` (flows without a key, whose end proves nothing), an end
    /// that claims a lost tail longer than the datagrams the flow delivered is implausible too.
    @discardableResult
    mutating func recordEnd(flow: UInt32, count: UInt64, boundedTail: Bool = false) -> Bool {
        guard let index = slot(of: flow, claim: false) else {
            // With the table full the flow's data was untracked too, so its end changes nothing;
            // otherwise the flow sent no data here.
            if flowCount >= limit { return true }
            implausible &+= 1
            return false
        }
        guard count < Self.sequenceLimit else {
            implausible &+= 1
            return false
        }
        let entry = entries + index
        // A real end count is one past the highest sequence sent, so at least one past the highest seen.
        let highest = entry.pointee.highest
        if count <= highest || count - highest > Self.plausibleJump
            || (boundedTail && count - highest - 1 > entry.pointee.unique) {
            implausible &+= 1
            return false
        }
        if entry.pointee.ended && entry.pointee.sent != count {
            // Two ends disagree: the sender's is the smaller (a larger one would claim data
            // that never came), and data past a smaller forged one discards it later.
            let smaller = min(entry.pointee.sent, count)
            expectedTotal &-= entry.pointee.sent &- smaller
            entry.pointee.sent = smaller
            implausible &+= 1
            return false
        }
        if !entry.pointee.ended { expectedTotal &+= count &- (highest &+ 1) }
        entry.pointee.sent = count
        entry.pointee.ended = true
        return true
    }

    /// A late datagram below the lowest seen moves the flow's start down: the
    /// datagrams between were not an unseen start after all, but lost.
    @inline(__always)
    private static func lower(_ entry: UnsafeMutablePointer<Entry>, to sequence: UInt64, expected: inout UInt64) {
        guard sequence < entry.pointee.lowest else { return }
        expected &+= entry.pointee.lowest - sequence
        entry.pointee.lowest = sequence
    }

    @inline(__always)
    static func set(_ window: UnsafeMutablePointer<UInt64>, _ sequence: UInt64) {
        let bit = Int(sequence % UInt64(windowBits))
        window[bit >> 6] |= 1 << UInt64(bit & 63)
    }

    @inline(__always)
    static func clear(_ window: UnsafeMutablePointer<UInt64>, _ sequence: UInt64) {
        let bit = Int(sequence % UInt64(windowBits))
        window[bit >> 6] &= ~(1 << UInt64(bit & 63))
    }

    @inline(__always)
    static func isSet(_ window: UnsafeMutablePointer<UInt64>, _ sequence: UInt64) -> Bool {
        let bit = Int(sequence % UInt64(windowBits))
        return window[bit >> 6] & (1 << UInt64(bit & 63)) != 0
    }

    /// The account of the flow at `index`.
    func summary(at index: Int) -> FlowSummary {
        let entry = entries[index]
        return FlowSummary(flow: entry.flow, unique: entry.unique, duplicates: entry.duplicates,
                           reordered: entry.reordered, highest: entry.highest, sent: entry.ended ? entry.sent : nil,
                           lowest: entry.lowest, source: entry.source)
    }

    /// Every flow seen, for the summary (allocates: call it after the loop).
    func summaries() -> [FlowSummary] {
        var result: [FlowSummary] = []
        result.reserveCapacity(flowCount)
        for index in 0..<Self.capacity {
            let entry = entries[index]
            guard entry.used, entry.unique > 0 || entry.ended else { continue }
            result.append(summary(at: index))
        }
        return result
    }
}
