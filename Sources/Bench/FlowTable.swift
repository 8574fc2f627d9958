/// What one flow's receiver saw, in the end.
public struct FlowSummary: Equatable, Sendable {
    /// The flow id from the sender's header.
    public var flow: UInt32
    /// Distinct data datagrams received.
    public var unique: UInt64
    /// Data datagrams received again.
    public var duplicates: UInt64
    /// Data datagrams that arrived after a later one (filling a gap).
    public var reordered: UInt64
    /// The highest sequence number seen.
    public var highest: UInt64
    /// The sender's final count, from an end-of-flow datagram; nil if none arrived.
    public var sent: UInt64?

    /// Creates a summary.
    public init(flow: UInt32, unique: UInt64, duplicates: UInt64, reordered: UInt64, highest: UInt64, sent: UInt64?) {
        self.flow = flow
        self.unique = unique
        self.duplicates = duplicates
        self.reordered = reordered
        self.highest = highest
        self.sent = sent
    }

    /// How many the sender sent, as far as the receiver can tell: its final
    /// count when that arrived, else one past the highest sequence seen (a lost
    /// tail is then invisible, and the summary says how many flows ended so).
    public var expected: UInt64 { sent ?? highest + 1 }

    /// Data datagrams never received.
    public var lost: UInt64 { expected > unique ? expected - unique : 0 }

    /// One flow's totals from several receiving threads (a flow spread across
    /// sockets): counts add up, the highest and the final count are the largest seen.
    public static func merged(_ parts: [FlowSummary]) -> FlowSummary {
        var result = parts[0]
        for part in parts.dropFirst() {
            result.unique += part.unique
            result.duplicates += part.duplicates
            result.reordered += part.reordered
            result.highest = max(result.highest, part.highest)
            if let sent = part.sent { result.sent = max(result.sent ?? 0, sent) }
        }
        return result
    }
}

/// Per-flow loss, reordering and duplicate accounting for one receiving thread,
/// in memory fixed at creation: up to ``capacity`` flows, each with a window of
/// the last ``windowBits`` sequence numbers to tell a late arrival from a repeat.
/// Datagrams of flows beyond the capacity are counted in ``untracked``.
struct FlowTable: ~Copyable {
    static let capacity = 4096  // a power of two
    static let windowBits = 1024
    static let windowWords = windowBits / 64

    struct Entry {
        var flow: UInt32 = 0
        var used = false
        var highest: UInt64 = 0
        var unique: UInt64 = 0
        var duplicates: UInt64 = 0
        var reordered: UInt64 = 0
        var sent: UInt64 = 0
        var ended = false
    }

    private let entries: UnsafeMutablePointer<Entry>
    private let windows: UnsafeMutablePointer<UInt64>
    private(set) var flowCount = 0
    /// Data datagrams whose flow found no room in the table.
    private(set) var untracked: UInt64 = 0

    init() {
        entries = .allocate(capacity: Self.capacity)
        entries.initialize(repeating: Entry(), count: Self.capacity)
        windows = .allocate(capacity: Self.capacity * Self.windowWords)
        windows.initialize(repeating: 0, count: Self.capacity * Self.windowWords)
    }

    deinit {
        entries.deallocate()
        windows.deallocate()
    }

    /// The slot of `flow`, claiming an empty one; nil when the table is full.
    /// Flow ids are random, so their low bits are a fair hash.
    @inline(__always)
    private mutating func slot(of flow: UInt32) -> Int? {
        var index = Int(flow & UInt32(Self.capacity - 1))
        var probes = 0
        while probes < Self.capacity {
            if !entries[index].used {
                // Keep a quarter free so probes stay short.
                guard flowCount < Self.capacity / 4 * 3 else { return nil }
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

    /// Records data datagram `sequence` of `flow`.
    @inline(__always)
    mutating func record(flow: UInt32, sequence: UInt64) {
        guard let index = slot(of: flow) else {
            untracked &+= 1
            return
        }
        let window = windows + index * Self.windowWords
        let entry = entries + index
        if entry.pointee.unique == 0 && entry.pointee.duplicates == 0 {
            entry.pointee.highest = sequence
            entry.pointee.unique = 1
            Self.set(window, sequence)
            return
        }
        let highest = entry.pointee.highest
        if sequence > highest {
            let gap = sequence - highest
            if gap >= UInt64(Self.windowBits) {
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
        } else if highest - sequence >= UInt64(Self.windowBits) {
            // Too late to tell a repeat from a straggler: count it as a straggler.
            entry.pointee.reordered &+= 1
            entry.pointee.unique &+= 1
        } else if Self.isSet(window, sequence) {
            entry.pointee.duplicates &+= 1
        } else {
            Self.set(window, sequence)
            entry.pointee.reordered &+= 1
            entry.pointee.unique &+= 1
        }
    }

    /// Records an end-of-flow datagram: the sender sent `count` data datagrams on `flow`.
    mutating func recordEnd(flow: UInt32, count: UInt64) {
        guard let index = slot(of: flow) else { return }
        entries[index].sent = max(entries[index].sent, count)
        entries[index].ended = true
    }

    @inline(__always)
    private static func set(_ window: UnsafeMutablePointer<UInt64>, _ sequence: UInt64) {
        let bit = Int(sequence % UInt64(windowBits))
        window[bit >> 6] |= 1 << UInt64(bit & 63)
    }

    @inline(__always)
    private static func clear(_ window: UnsafeMutablePointer<UInt64>, _ sequence: UInt64) {
        let bit = Int(sequence % UInt64(windowBits))
        window[bit >> 6] &= ~(1 << UInt64(bit & 63))
    }

    @inline(__always)
    private static func isSet(_ window: UnsafeMutablePointer<UInt64>, _ sequence: UInt64) -> Bool {
        let bit = Int(sequence % UInt64(windowBits))
        return window[bit >> 6] & (1 << UInt64(bit & 63)) != 0
    }

    /// Every flow seen, for the summary (allocates: call it after the loop).
    func summaries() -> [FlowSummary] {
        var result: [FlowSummary] = []
        result.reserveCapacity(flowCount)
        for index in 0..<Self.capacity {
            let entry = entries[index]
            guard entry.used, entry.unique > 0 || entry.ended else { continue }
            result.append(FlowSummary(flow: entry.flow, unique: entry.unique, duplicates: entry.duplicates,
                                      reordered: entry.reordered, highest: entry.highest,
                                      sent: entry.ended ? entry.sent : nil))
        }
        return result
    }
}
