import PacketIO
import Reporting

/// Reads what datagrams say about themselves as they are counted: each
/// sequence header into the flow table, each same-host send time into the
/// latency counters. Fixed memory; nothing allocated per datagram.
struct Tally: ~Copyable {
    private var flows = FlowTable()
    private var latency = LatencyRecorder()
    private let hostTag: UInt8
    /// When the batch was read: taken at the first send time that needs it.
    private var now: UInt64 = 0
    private var endMarkers: UInt64 = 0

    init(hostTag: UInt8) { self.hostTag = hostTag }

    /// Starts a batch: every datagram in it was sent before the clock is next read.
    @inline(__always)
    mutating func startBatch() {
        now = 0
    }

    /// Whether a datagram begins with the header's magic: one load, one compare.
    @inline(__always)
    func hasHeader(_ datagram: UnsafeRawBufferPointer) -> Bool {
        datagram.count >= SequenceHeader.size
            && datagram.loadUnaligned(as: UInt16.self) == SequenceHeader.magic.littleEndian
    }

    /// Feeds a datagram that starts with the magic to the flow table and the
    /// latency counters; false for an end-of-flow marker, which is not data.
    @inline(never)
    mutating func countHeader(_ datagram: UnsafeRawBufferPointer) -> Bool {
        guard let header = SequenceHeader(reading: datagram) else { return true }
        if header.kind == .endOfFlow {
            flows.recordEnd(flow: header.flow, count: header.sequence)
            endMarkers &+= 1
            return false
        }
        flows.record(flow: header.flow, sequence: header.sequence)
        if let sent = header.sendTime, header.hostTag == hostTag {
            if now == 0 { now = MonotonicClock.now() }
            if sent <= now { latency.record(now &- sent) }
        }
        return true
    }

    /// Everything counted, as a value (allocates: call it after the loop).
    func result() -> ReceiveResult {
        ReceiveResult(flows: flows.summaries(), untracked: flows.untracked,
                      latency: latency.histogram(), endMarkers: endMarkers)
    }
}
