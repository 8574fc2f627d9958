import PacketIO
import Reporting

/// One echo thread's accounts of `mpps ping` flows: per flow (source address and
/// port, token, flow number: ``PingHeader``) the requests that arrived, the gaps in
/// their sequence numbers below the highest seen (lost on the way in), the repeated
/// and the late ones. Fixed memory, allocated in `init`; nothing allocated per request.
///
/// Why not ``FlowTable``: it keys a flow by the 32-bit id its sender chose, and a
/// ping flow's name is its source, token and flow number together. Hashed into 32
/// bits, two flows could share an account, and a stranger that found a real flow's
/// neighbour could move its gaps. Here a request joins only the flow whose whole name
/// it carries, so a stranger changes no account but its own unless it sends from the
/// real flow's address and port with the run's random token. ``FlowCandidates``'
/// admission on evidence is not needed for that, and its 1 MiB per thread would be
/// paid by every echo thread (up to 1024).
///
/// The table is ``buckets`` buckets of ``ways`` places, a bucket chosen by a hash
/// with a random multiplier. A new flow takes a free place in its bucket, or the place
/// of the flow there quiet longest, once that one was quiet for ``quietNanoseconds``
/// (its counts stay in the totals: ``EchoFlows/retiredFlows``); when every flow of the
/// bucket is active, the request is `untracked`. So a stranger cannot evict a flow
/// that is sending, and what does not fit is counted, never dropped silently.
package struct EchoFlowTable: ~Copyable {
    package static let buckets = 256  // a power of two
    static let ways = 4
    package static let capacity = buckets * ways
    /// Sequence numbers a flow remembers below its highest, to tell a late request from a repeat
    /// (``FlowTable``'s window: its functions set, clear and test the bits).
    static let windowBits = UInt64(FlowTable.windowBits)
    static let windowWords = FlowTable.windowWords
    /// How long a flow must have been quiet before a new one may take its place.
    package static let quietNanoseconds: UInt64 = 10_000_000_000

    struct Entry {
        var source = SocketAddress(ipv4: 0, 0, 0, 0, port: 0)
        var token: UInt32 = 0
        var flow: UInt16 = 0
        var used = false
        var lowest: UInt64 = 0
        var highest: UInt64 = 0
        var distinct: UInt64 = 0
        var duplicates: UInt64 = 0
        var reordered: UInt64 = 0
        var lastSeen: UInt64 = 0
    }

    private let entries: UnsafeMutablePointer<Entry>
    private let windows: UnsafeMutablePointer<UInt64>
    private let multiplier: UInt64
    /// Totals over every flow that had a place, retired ones included (``lostIn`` from
    /// the running sums: each flow's span from lowest to highest, and its distinct requests).
    private(set) var totals = EchoFlows()
    private var spanTotal: UInt64 = 0
    private var distinctTotal: UInt64 = 0

    /// An empty table; `seed` makes the hash repeatable (tests).
    package init(seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
        entries = .allocate(capacity: Self.capacity)
        entries.initialize(repeating: Entry(), count: Self.capacity)
        windows = .allocate(capacity: Self.capacity * Self.windowWords)
        windows.initialize(repeating: 0, count: Self.capacity * Self.windowWords)
        multiplier = FlowTable.hashMultiplier(seed: seed)
    }

    deinit {
        entries.deinitialize(count: Self.capacity)
        entries.deallocate()
        windows.deallocate()
    }

    /// Counts one request when it carries ping's header (else does nothing), from `source`. `now`
    /// is the batch's clock reading, read here at the first header of a batch (0 until then).
    @inline(__always)
    package mutating func count(_ bytes: UnsafeRawBufferPointer, source: SocketAddress, now: inout UInt64) {
        guard let header = PingHeader(reading: bytes) else { return }
        if now == 0 { now = MonotonicClock.now() }
        guard header.sequence < FlowTable.sequenceLimit else { totals.implausible &+= 1; return }
        guard let index = place(of: header, source: source, now: now) else { totals.untracked &+= 1; return }
        let entry = entries + index
        if entry.pointee.distinct == 0 {
            entry.pointee.lowest = header.sequence
            entry.pointee.highest = header.sequence
            entry.pointee.distinct = 1
            FlowTable.set(windows + index * Self.windowWords, header.sequence)
            spanTotal &+= 1
            distinctTotal &+= 1
            totals.requests &+= 1
            return
        }
        let highest = entry.pointee.highest
        let distance = header.sequence > highest ? header.sequence - highest : highest - header.sequence
        guard distance <= FlowTable.plausibleJump else { totals.implausible &+= 1; return }
        totals.requests &+= 1
        record(header.sequence, at: index, distance: distance)
    }

    /// Records `sequence`, `distance` from the highest seen, in the flow at `index`, which has seen some.
    @inline(__always)
    private mutating func record(_ sequence: UInt64, at index: Int, distance: UInt64) {
        let entry = entries + index
        let window = windows + index * Self.windowWords
        if sequence > entry.pointee.highest {
            if distance >= Self.windowBits {
                window.update(repeating: 0, count: Self.windowWords)
            } else {
                // Forget the positions the window moves past: they now stand for newer numbers.
                var position = entry.pointee.highest + 1
                while position < sequence {
                    FlowTable.clear(window, position)
                    position += 1
                }
            }
            FlowTable.set(window, sequence)
            entry.pointee.highest = sequence
            entry.pointee.distinct &+= 1
            spanTotal &+= distance
            distinctTotal &+= 1
        } else if distance < Self.windowBits && FlowTable.isSet(window, sequence) {
            entry.pointee.duplicates &+= 1
            totals.duplicates &+= 1
        } else {
            // Late, filling a gap (or too late to tell from a repeat: counted as late).
            if distance < Self.windowBits { FlowTable.set(window, sequence) }
            if sequence < entry.pointee.lowest {
                spanTotal &+= entry.pointee.lowest - sequence
                entry.pointee.lowest = sequence
            }
            entry.pointee.reordered &+= 1
            entry.pointee.distinct &+= 1
            totals.reordered &+= 1
            distinctTotal &+= 1
        }
    }

    /// The place of `header`'s flow from `source`, claiming a free one, or a quiet flow's; nil when
    /// every place of its bucket holds an active flow.
    @inline(__always)
    private mutating func place(of header: PingHeader, source: SocketAddress, now: UInt64) -> Int? {
        let key = UInt64(header.token) << 32 | UInt64(header.flow) << 16 | UInt64(source.port)
        let first = Int(truncatingIfNeeded: (key &* multiplier) >> UInt64(64 - Self.buckets.trailingZeroBitCount)) * Self.ways
        var quietest: Int?
        for index in first..<(first + Self.ways) {
            let entry = entries + index
            guard entry.pointee.used else {
                claim(index, header, source: source, now: now)
                return index
            }
            if entry.pointee.token == header.token && entry.pointee.flow == header.flow && entry.pointee.source == source {
                entry.pointee.lastSeen = now
                return index
            }
            if now &- entry.pointee.lastSeen >= Self.quietNanoseconds
                && entry.pointee.lastSeen < (quietest.map { entries[$0].lastSeen } ?? .max) { quietest = index }
        }
        guard let quietest else { return nil }
        totals.retiredFlows &+= 1
        claim(quietest, header, source: source, now: now)
        return quietest
    }

    /// Gives the place at `index` to a new flow (its last holder's counts stay in the totals).
    private mutating func claim(_ index: Int, _ header: PingHeader, source: SocketAddress, now: UInt64) {
        entries[index] = Entry(source: source, token: header.token, flow: header.flow, used: true, lastSeen: now)
        (windows + index * Self.windowWords).update(repeating: 0, count: Self.windowWords)
        totals.flows &+= 1
    }

    /// The totals and the accounts of the flows held, the most requests first (allocates: after the loop).
    package func result() -> EchoFlows {
        var result = totals
        result.lostIn = spanTotal > distinctTotal ? spanTotal - distinctTotal : 0
        for index in 0..<Self.capacity where entries[index].used && entries[index].distinct > 0 {
            let entry = entries[index]
            result.accounts.append(EchoFlowAccount(source: entry.source, token: entry.token, flow: entry.flow,
                                                   distinct: entry.distinct, duplicates: entry.duplicates,
                                                   reordered: entry.reordered, lowest: entry.lowest, highest: entry.highest))
        }
        result.accounts.sort { $0.requests > $1.requests }
        return result
    }
}

/// The echo threads' flow tables, one per thread, owned by the run: each thread
/// writes its own through an ``EchoFlowTables/Slot`` while it runs, and the session
/// reads them once the threads have ended (``EchoRun/stop()`` joins them first).
final class EchoFlowTables: @unchecked Sendable {
    // Safety: each table is written by its one thread, and read only after that thread was joined.
    private let tables: UnsafeMutablePointer<EchoFlowTable>
    let count: Int

    /// A table's place, for its thread: a plain pointer, so the loop holds no class reference.
    struct Slot: @unchecked Sendable {
        let table: UnsafeMutablePointer<EchoFlowTable>
    }

    /// `count` empty tables.
    init(count: Int) {
        self.count = count
        tables = .allocate(capacity: count)
        for index in 0..<count { (tables + index).initialize(to: EchoFlowTable()) }
    }

    deinit {
        tables.deinitialize(count: count)
        tables.deallocate()
    }

    /// Thread `index`'s table. Valid while this object lives.
    func slot(_ index: Int) -> Slot { Slot(table: tables + index) }

    /// Every table's counts together (allocates; call it once the threads have ended).
    func result() -> EchoFlows {
        (0..<count).reduce(EchoFlows()) { $0.adding(tables[$1].result()) }
    }
}
