import PacketIO

/// What a receiving thread hands back when it ends: its flows and latencies.
public struct ReceiveResult: Sendable {
    /// Each flow the thread saw a sequence header of.
    public var flows: [FlowSummary] = []
    /// Data datagrams with a header whose flow found no room in the table.
    public var untracked: UInt64 = 0
    /// One-way latencies of datagrams sent from this host.
    public var latency = LatencyHistogram()
    /// End-of-flow datagrams received (not counted as data).
    public var endMarkers: UInt64 = 0
}

/// One receiving thread's loop and everything it needs, as plain values.
struct ReceiveWork: Sendable {
    let descriptor: Int32
    let batch: Int
    let latch: StartLatch
    let slotSize: Int
    let coalescing: Bool
    let limit: UInt64?
    let slot: CounterSlot
    let stop: StopFlag
    let total: SharedTotal

    /// Receives until a stop request or, with a limit, until the run's total
    /// of data datagrams reaches it. Allocates once (batch, flow table, latency
    /// counters) before the loop and never inside it.
    func run() throws(SocketError) -> ReceiveResult {
        var storage = ReceiveBatch(capacity: batch, slotSize: slotSize, recordsSources: false,
                                   controlSize: coalescing ? ReceiveBatch.standardControlSize : 0)
        var tally = Tally(hostTag: HostTag.local)
        var totals = CounterSnapshot()
        slot.publishCPU(CPUList.currentCPU())
        latch.arrive()
        while !stop.isSet {
            var want = batch
            if let limit {
                let taken = total.load()
                if taken >= limit { stop.set(); break }
                want = Int(min(UInt64(batch), limit - taken))
            }
            let received = try storage.receive(descriptor: descriptor, limit: want)
            if received == 0 { continue }
            tally.startBatch(now: MonotonicClock.now())
            var truncated = 0
            var index = 0
            while index < received {
                let message = storage.unsafeBytes(at: index)
                if storage.isTruncated(at: index) { truncated &+= 1 }
                let size = coalescing ? storage.segmentSize(at: index) : 0
                if size > 0 && message.count > size {
                    // A coalesced message: every `size` bytes one datagram, the last maybe shorter.
                    var start = 0
                    while start < message.count {
                        let end = min(start &+ size, message.count)
                        tally.count(UnsafeRawBufferPointer(rebasing: message[start..<end]))
                        start = end
                    }
                } else {
                    tally.count(message)
                }
                index &+= 1
            }
            totals.packets &+= tally.batchPackets
            totals.bytes &+= tally.batchBytes
            totals.calls &+= 1
            totals.truncated &+= UInt64(truncated)
            slot.publish(totals)
            slot.publishCPU(CPUList.currentCPU())
            if let limit, total.add(tally.batchPackets) >= limit { stop.set() }
        }
        return tally.result()
    }
}

/// Counts datagrams as they are read: data datagrams and their bytes per batch,
/// each sequence header into the flow table, each same-host send time into the
/// latency counters. Fixed memory; nothing allocated per datagram.
struct Tally: ~Copyable {
    private var flows = FlowTable()
    private var latency = LatencyRecorder()
    private let hostTag: UInt8
    private var now: UInt64 = 0
    private var endMarkers: UInt64 = 0
    private(set) var batchPackets: UInt64 = 0
    private(set) var batchBytes: UInt64 = 0

    init(hostTag: UInt8) { self.hostTag = hostTag }

    /// Starts a batch read at `now`: every datagram in it was sent before then.
    @inline(__always)
    mutating func startBatch(now: UInt64) {
        self.now = now
        batchPackets = 0
        batchBytes = 0
    }

    /// Counts one datagram: an end-of-flow marker feeds the flow table only;
    /// anything else is data, with or without a header.
    @inline(__always)
    mutating func count(_ datagram: UnsafeRawBufferPointer) {
        if let header = SequenceHeader(reading: datagram) {
            if header.kind == .endOfFlow {
                flows.recordEnd(flow: header.flow, count: header.sequence)
                endMarkers &+= 1
                return
            }
            flows.record(flow: header.flow, sequence: header.sequence)
            if let sent = header.sendTime, header.hostTag == hostTag, sent <= now {
                latency.record(now &- sent)
            }
        }
        batchPackets &+= 1
        batchBytes &+= UInt64(datagram.count)
    }

    /// Everything counted, as a value (allocates: call it after the loop).
    func result() -> ReceiveResult {
        ReceiveResult(flows: flows.summaries(), untracked: flows.untracked,
                      latency: latency.histogram(), endMarkers: endMarkers)
    }
}
