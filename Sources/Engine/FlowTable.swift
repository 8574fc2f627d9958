import PacketIO
import Reporting

/// Per-flow loss, reordering and duplicate accounting for one receiving thread,
/// in memory fixed at creation: up to ``capacity`` flows, each with a window of
/// the last ``windowBits`` sequence numbers to tell a late arrival from a repeat.
/// Datagrams of flows beyond the capacity are counted in ``untracked``.
struct FlowTable: ~Copyable {
    static let capacity = 4096  // a power of two
    /// Flows tracked at most: three quarters of the slots, so probing stays short.
    static let trackedFlows = capacity / 4 * 3
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
                guard flowCount < Self.trackedFlows else { return nil }
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
