import PacketIO
import Reporting

/// Reads what datagrams say about themselves as they are counted: each
/// sequence header into the flow table, each same-host send time into the
/// latency counters. Fixed memory; nothing allocated per datagram.
///
/// Headers are untrusted: with flow keys, a flow id none of them made is
/// ``implausible`` and goes no further, and a keyed flow has its place in the
/// flow table from its first datagram. Without keys a flow earns its place by
/// evidence (``FlowCandidates``): until then its datagrams are unjudged, in no
/// account. Only a plausible datagram's send time reaches the latency counters.
package struct Tally: ~Copyable {
    private var flows: FlowTable
    private var candidates: FlowCandidates
    private var latency: LatencyRecorder
    /// The slots' owner when the caller gave none (a test, a fuzz target): kept alive here.
    private let ownCounters: SequenceCounters?
    private let live: SequenceSlot
    private let hostTag: UInt8
    // Safety: allocated in init, freed in deinit; read only by this thread.
    private let keys: UnsafeMutableBufferPointer<FlowKey>
    /// When the batch was read: taken at the first send time that needs it.
    private var now: UInt64 = 0
    private var endMarkers: UInt64 = 0
    /// Headers whose flow id no key made.
    private var unkeyed: UInt64 = 0
    /// Flows made candidates and not admitted (yet), and their data datagrams.
    private var unjudgedFlows: UInt64 = 0
    private var unjudged: UInt64 = 0

    /// Flows a tally's flow table holds (per receiving thread).
    package static let trackedFlows = FlowTable.trackedFlows

    /// The oldest send time a plausible datagram carries: a minute, far past
    /// any queue a datagram can wait in, and safe to sum in the histogram.
    static let latencyLimitNanoseconds: UInt64 = 60_000_000_000

    /// A tally for datagrams of `hostTag`'s clock; with `flowKeys`, only flows
    /// those keys made are counted as flows. With `live`, its totals and
    /// latencies are published there for other threads (see ``publish()``).
    /// `trackedFlows` and `seed` are for tests and fuzzing: a smaller flow table, repeatable hashes.
    package init(hostTag: UInt8, flowKeys: [FlowKey] = [], live: SequenceSlot? = nil,
                 trackedFlows: Int = Tally.trackedFlows, seed: UInt64? = nil) {
        flows = FlowTable(limit: trackedFlows, seed: seed ?? UInt64.random(in: 0...UInt64.max))
        candidates = FlowCandidates(enabled: flowKeys.isEmpty, seed: seed.map { $0 ^ 0x5555_5555_5555_5555 } ?? UInt64.random(in: 0...UInt64.max))
        let counters = live == nil ? SequenceCounters(count: 1) : nil
        let slot = live ?? counters!.slot(0)
        ownCounters = counters
        self.live = slot
        latency = LatencyRecorder(slot: slot)
        self.hostTag = hostTag
        keys = .allocate(capacity: flowKeys.count)
        _ = keys.initialize(from: flowKeys)
    }

    deinit { keys.deallocate() }

    /// Starts a batch: every datagram in it was sent before the clock is next read.
    @inline(__always)
    package mutating func startBatch() {
        now = 0
    }

    /// Whether a datagram begins with the header's magic: one load, one compare.
    @inline(__always)
    package func hasHeader(_ datagram: UnsafeRawBufferPointer) -> Bool {
        datagram.count >= SequenceHeader.size
            && datagram.loadUnaligned(as: UInt16.self) == SequenceHeader.magic.littleEndian
    }

    /// Whether a flow with a place has no source yet: the receiver should record
    /// sources (and pass them to ``countHeader(_:source:)``) until it has. Asking the
    /// kernel for every datagram's address adds about 15 % to a plain receive loop's
    /// CPU per datagram (BENCHMARKS.md r), so a receiver asks only while this holds.
    @inline(__always)
    package var wantsSources: Bool { flows.sourcesMissing > 0 }

    /// Feeds a datagram that starts with the magic to the flow table and the
    /// latency counters; false for an end-of-flow marker, which is not data.
    /// `source` is the sender's address (a sockaddr) when the receiver recorded it.
    /// Flows with keys and without are counted by functions of their own, each
    /// small enough for the flow table's lookup to be inlined into it.
    @inline(__always)
    package mutating func countHeader(_ datagram: UnsafeRawBufferPointer, source: UnsafeRawPointer? = nil) -> Bool {
        keys.isEmpty ? countUnkeyed(datagram, source: source) : countKeyed(datagram, source: source)
    }

    /// ``countHeader(_:source:)`` without keys: a flow earns its place by evidence.
    @inline(never)
    private mutating func countUnkeyed(_ datagram: UnsafeRawBufferPointer, source: UnsafeRawPointer?) -> Bool {
        guard let header = SequenceHeader(reading: datagram) else { return true }
        if let source, flows.sourcesMissing > 0 { flows.fillSource(of: header.flow, from: source) }
        guard header.kind == .data else {
            countEnd(flow: header.flow, count: header.sequence, source: source)
            return false
        }
        if let plausible = flows.recordIfTracked(flow: header.flow, sequence: header.sequence) {
            guard plausible else { return true }
        } else {
            judge(flow: header.flow, sequence: header.sequence, source: source)
        }
        recordLatency(of: header)
        return true
    }

    /// ``countHeader(_:source:)`` with keys: a flow one of them made has its place at once.
    @inline(never)
    private mutating func countKeyed(_ datagram: UnsafeRawBufferPointer, source: UnsafeRawPointer?) -> Bool {
        guard let header = SequenceHeader(reading: datagram) else { return true }
        if let source, flows.sourcesMissing > 0 { flows.fillSource(of: header.flow, from: source) }
        let isData = header.kind == .data
        guard isKeyed(header.flow) else {
            if !isData { endMarkers &+= 1 }
            unkeyed &+= 1
            return isData
        }
        guard isData else {
            endMarkers &+= 1
            flows.recordEnd(flow: header.flow, count: header.sequence)
            return false
        }
        guard flows.record(flow: header.flow, sequence: header.sequence, source: source) else { return true }
        recordLatency(of: header)
        return true
    }

    /// A counted data datagram's send time, when it is this host's clock's, into the latency counters.
    @inline(__always)
    private mutating func recordLatency(of header: SequenceHeader) {
        guard let sent = header.sendTime, header.hostTag == hostTag else { return }
        if now == 0 { now = MonotonicClock.now() }
        if sent <= now && now &- sent < Self.latencyLimitNanoseconds { latency.record(now &- sent) }
    }

    /// A data datagram of an unkeyed flow without a place: its candidate takes
    /// it, and the flow gets its place once it shows the evidence.
    @inline(never)
    private mutating func judge(flow: UInt32, sequence: UInt64, source: UnsafeRawPointer?) {
        let (index, step) = candidates.offer(flow: flow, sequence: sequence)
        unjudged &+= 1
        if step == .created { unjudgedFlows &+= 1 }
        if step == .fresh && candidates.hasEvidence(index) { admit(index, source: source) }
    }

    /// An end-of-flow datagram of an unkeyed flow: an end that closes what a
    /// candidate showed gives it its place first.
    @inline(never)
    private mutating func countEnd(flow: UInt32, count: UInt64, source: UnsafeRawPointer?) {
        endMarkers &+= 1
        if flows.slot(of: flow, claim: false) == nil, count < FlowTable.sequenceLimit,
           let index = candidates.index(of: flow), candidates.isClosed(index, by: count) {
            if !admit(index, source: source) { return }
        }
        flows.recordEnd(flow: flow, count: count, boundedTail: true)
    }

    /// Moves the candidate at `index` into the flow table; false when it found no room.
    @discardableResult
    private mutating func admit(_ index: Int, source: UnsafeRawPointer?) -> Bool {
        let candidate = candidates[index]
        guard flows.admit(candidate, source: source) else { return false }
        unjudged &-= candidate.datagrams
        unjudgedFlows &-= 1
        candidates.remove(index)
        return true
    }

    /// Whether one of the keys made `flow` (``countKeyed(_:source:)`` only: there are keys).
    @inline(__always)
    private func isKeyed(_ flow: UInt32) -> Bool {
        for key in keys where key.made(flow) { return true }
        return false
    }

    /// The running totals so far.
    package var totals: SequenceTotals {
        var totals = SequenceTotals()
        totals.expected = flows.expectedTotal
        totals.unique = flows.uniqueTotal
        totals.reordered = flows.reorderedTotal
        totals.duplicates = flows.duplicatesTotal
        totals.implausible = flows.implausible &+ unkeyed
        totals.untracked = flows.untracked
        totals.latencySum = latency.sum
        return totals
    }

    /// Makes the running totals visible to readers of the live slot: a few
    /// relaxed stores, once per batch (the latency buckets are already there).
    @inline(__always)
    package func publish() {
        live.publish(totals)
    }

    /// Everything counted, as a value (allocates: call it after the loop).
    package func result() -> ReceiveResult {
        ReceiveResult(flows: flows.summaries(), untracked: flows.untracked,
                      implausible: flows.implausible &+ unkeyed,
                      latency: latency.histogram(), endMarkers: endMarkers,
                      evicted: flows.evicted, unjudgedFlows: unjudgedFlows, unjudged: unjudged)
    }
}
