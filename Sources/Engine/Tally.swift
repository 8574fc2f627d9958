import PacketIO
import Reporting

/// Reads what datagrams say about themselves as they are counted: each
/// sequence header into the flow table, each same-host send time into the
/// latency counters. Fixed memory; nothing allocated per datagram.
///
/// Headers are untrusted: with flow keys, a flow id none of them made is
/// ``implausible`` and goes no further; the flow table judges the rest; and
/// only a plausible datagram's send time reaches the latency counters.
package struct Tally: ~Copyable {
    private var flows = FlowTable()
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

    /// The oldest send time a plausible datagram carries: a minute, far past
    /// any queue a datagram can wait in, and safe to sum in the histogram.
    static let latencyLimitNanoseconds: UInt64 = 60_000_000_000

    /// A tally for datagrams of `hostTag`'s clock; with `flowKeys`, only flows
    /// those keys made are counted as flows. With `live`, its totals and
    /// latencies are published there for other threads (see ``publish()``).
    package init(hostTag: UInt8, flowKeys: [FlowKey] = [], live: SequenceSlot? = nil) {
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

    /// Feeds a datagram that starts with the magic to the flow table and the
    /// latency counters; false for an end-of-flow marker, which is not data.
    @inline(never)
    package mutating func countHeader(_ datagram: UnsafeRawBufferPointer) -> Bool {
        guard let header = SequenceHeader(reading: datagram) else { return true }
        let isData = header.kind == .data
        if !isData { endMarkers &+= 1 }
        guard isKeyed(header.flow) else {
            unkeyed &+= 1
            return isData
        }
        if !isData {
            flows.recordEnd(flow: header.flow, count: header.sequence)
            return false
        }
        guard flows.record(flow: header.flow, sequence: header.sequence) else { return true }
        if let sent = header.sendTime, header.hostTag == hostTag {
            if now == 0 { now = MonotonicClock.now() }
            if sent <= now && now &- sent < Self.latencyLimitNanoseconds { latency.record(now &- sent) }
        }
        return true
    }

    /// Whether one of the keys made `flow`, or no key was given.
    @inline(__always)
    private func isKeyed(_ flow: UInt32) -> Bool {
        if keys.isEmpty { return true }
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
                      latency: latency.histogram(), endMarkers: endMarkers)
    }
}
