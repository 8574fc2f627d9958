import Synchronization

/// A consistent-enough reading of one thread's counters: each field is exact
/// as of the writer's last publish; fields may come from adjacent publishes.
public struct CounterSnapshot: Equatable, Sendable {
    /// Datagrams received or accepted by the kernel for sending.
    public var packets: UInt64 = 0
    /// Payload bytes of those datagrams.
    public var bytes: UInt64 = 0
    /// System calls made (`recvmmsg`/`sendmmsg`) that moved at least one datagram.
    public var calls: UInt64 = 0
    /// Datagrams longer than the receive slot, cut short.
    public var truncated: UInt64 = 0
    /// Sends refused with `ECONNREFUSED` (nobody listened at the peer).
    public var refused: UInt64 = 0
    /// Sends that failed for want of buffer space (`ENOBUFS`), retried.
    public var noBuffers: UInt64 = 0

    /// Creates a snapshot; every field defaults to 0.
    public init(packets: UInt64 = 0, bytes: UInt64 = 0, calls: UInt64 = 0,
                truncated: UInt64 = 0, refused: UInt64 = 0, noBuffers: UInt64 = 0) {
        self.packets = packets
        self.bytes = bytes
        self.calls = calls
        self.truncated = truncated
        self.refused = refused
        self.noBuffers = noBuffers
    }

    /// Field-wise difference `self - earlier`, for per-interval deltas.
    public func since(_ earlier: CounterSnapshot) -> CounterSnapshot {
        CounterSnapshot(packets: packets &- earlier.packets, bytes: bytes &- earlier.bytes,
                        calls: calls &- earlier.calls, truncated: truncated &- earlier.truncated,
                        refused: refused &- earlier.refused, noBuffers: noBuffers &- earlier.noBuffers)
    }

    /// Field-wise sum, for totals across threads.
    public static func + (lhs: CounterSnapshot, rhs: CounterSnapshot) -> CounterSnapshot {
        CounterSnapshot(packets: lhs.packets + rhs.packets, bytes: lhs.bytes + rhs.bytes,
                        calls: lhs.calls + rhs.calls, truncated: lhs.truncated + rhs.truncated,
                        refused: lhs.refused + rhs.refused, noBuffers: lhs.noBuffers + rhs.noBuffers)
    }
}

/// Counters for a group of threads: one writer thread per slot, any number of
/// readers, no locks. Each slot sits on its own 128-byte block (two cache lines,
/// so the adjacent-line prefetcher cannot make neighbours share either), so
/// writers never contend.
///
/// A writer keeps its running totals in locals and calls ``CounterSlot/publish(_:)``
/// once per batch: a handful of relaxed stores, no read-modify-write.
public final class ThreadCounters: @unchecked Sendable {
    // Safety: the memory is written only through CounterSlot (one writer per
    // slot, atomic stores) and read through atomic loads; it lives as long as
    // this object, which every CounterSlot user must keep alive.
    private let base: UnsafeMutableRawPointer
    /// The number of slots, one per thread.
    public let count: Int

    static let slotBytes = 128
    static let fields = 7  // six counters, then the CPU last seen

    /// Allocates `count` zeroed slots.
    public init(count: Int) {
        precondition(count >= 1, "at least one counter slot")
        self.count = count
        base = .allocate(byteCount: count * Self.slotBytes, alignment: Self.slotBytes)
        for i in 0..<count {
            let slot = (base + i * Self.slotBytes).bindMemory(to: Atomic<UInt64>.self, capacity: Self.fields)
            for field in 0..<Self.fields { (slot + field).initialize(to: Atomic(0)) }
            slot[6].store(UInt64(bitPattern: -1), ordering: .relaxed)
        }
    }

    deinit { base.deallocate() }

    /// The slot for thread `index`. Valid while this object lives.
    public func slot(_ index: Int) -> CounterSlot {
        precondition(index >= 0 && index < count, "counter slot out of range")
        return CounterSlot(fields: (base + index * Self.slotBytes).assumingMemoryBound(to: Atomic<UInt64>.self))
    }

    /// Reads thread `index`'s counters.
    public func read(_ index: Int) -> CounterSnapshot { slot(index).read() }

    /// The sum over all threads.
    public func total() -> CounterSnapshot {
        (0..<count).reduce(CounterSnapshot()) { $0 + read($1) }
    }
}

/// One thread's counters inside a ``ThreadCounters``: a plain pointer, so the
/// writing loop holds no class reference.
public struct CounterSlot: @unchecked Sendable {
    // Safety: points into a ThreadCounters allocation that outlives every use.
    let fields: UnsafeMutablePointer<Atomic<UInt64>>

    /// Makes `totals` visible to readers. Only the slot's own thread may call it.
    @inline(__always)
    public func publish(_ totals: CounterSnapshot) {
        fields[0].store(totals.packets, ordering: .relaxed)
        fields[1].store(totals.bytes, ordering: .relaxed)
        fields[2].store(totals.calls, ordering: .relaxed)
        fields[3].store(totals.truncated, ordering: .relaxed)
        fields[4].store(totals.refused, ordering: .relaxed)
        fields[5].store(totals.noBuffers, ordering: .relaxed)
    }

    /// Records the CPU the thread runs on (see ``CPUList/currentCPU()``).
    @inline(__always)
    public func publishCPU(_ cpu: Int) {
        fields[6].store(UInt64(bitPattern: Int64(cpu)), ordering: .relaxed)
    }

    /// The CPU last recorded with ``publishCPU(_:)``, or -1 before the first.
    public func readCPU() -> Int {
        Int(Int64(bitPattern: fields[6].load(ordering: .relaxed)))
    }

    /// The last published totals.
    public func read() -> CounterSnapshot {
        CounterSnapshot(packets: fields[0].load(ordering: .relaxed), bytes: fields[1].load(ordering: .relaxed),
                        calls: fields[2].load(ordering: .relaxed), truncated: fields[3].load(ordering: .relaxed),
                        refused: fields[4].load(ordering: .relaxed), noBuffers: fields[5].load(ordering: .relaxed))
    }
}
