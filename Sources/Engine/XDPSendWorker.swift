#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Reporting

/// One AF_XDP sending thread: its socket, its flows' frame templates, and the
/// same quota, pacing and end-of-flow markers as ``SendWorker``'s. A datagram counts
/// once the kernel completed its frame and the device did not drop it, so `sent` is
/// what left.
struct XDPSendWorker: Sendable {
    let socket: XDPTransmitBox
    /// This thread's flows: their frames and their flow ids.
    let templates: [UDPFrameTemplate]
    let flowIDs: [UInt32]
    let batch: Int
    let payload: Int
    /// The host tag of the header written into every datagram; nil for all-zero payloads.
    let hostTag: UInt8?
    let quota: UInt64?
    /// This thread's datagrams per second; nil for as fast as possible.
    let rate: Double?
    let slot: CounterSlot
    let stop: StopFlag
    let control: RunControl
    let interface: String

    /// How long the frames still in flight are waited for at the end.
    static let drainNanoseconds: UInt64 = 1_000_000_000

    /// Sends until the quota is met or a stop is requested, waits for the frames in
    /// flight, then sends the end-of-flow markers. Allocates its bookkeeping once, before the loop.
    func run() throws(SocketError) {
        try socket.withSocket { socket throws(SocketError) in
            // Which flow each UMEM frame was last built for (-1: none), and each flow's data frames queued.
            let owners = UnsafeMutableBufferPointer<Int32>.allocate(capacity: socket.frameCount)
            owners.initialize(repeating: -1)
            let queued = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: templates.count)
            queued.initialize(repeating: 0)
            defer {
                owners.deallocate()
                queued.deallocate()
            }
            slot.publishCPU(CPUList.currentCPU())
            // The counts of this run only: a socket may have sent before.
            let base = SocketCounts(socket)
            var totals = CounterSnapshot()
            try sendData(&socket, owners: owners, queued: queued, base: base, totals: &totals)
            drain(&socket)
            publish(socket, base, &totals)
            let left = socket.inFlight
            if left > 0 { control.notice("mpps send: \(left) frames on \(interface) were not completed within a second: not counted as sent") }
            if socket.dropped > base.dropped {
                control.notice("mpps send: the driver of \(interface) dropped \(socket.dropped - base.dropped) frames after taking them (EBUSY): not counted as sent")
            }
            if let hostTag, payload >= SequenceHeader.size { sendEndOfFlow(&socket, hostTag: hostTag, queued: queued, owners: owners) }
        }
    }

    /// The data loop: one batch per flow in turn, counters published per batch.
    private func sendData(_ socket: inout XDPTransmitSocket, owners: UnsafeMutableBufferPointer<Int32>,
                          queued: UnsafeMutableBufferPointer<UInt64>, base: SocketCounts, totals: inout CounterSnapshot) throws(SocketError) {
        let pacer = rate.map { Pacer(rate: $0, maximumBurst: batch, start: MonotonicClock.now()) }
        var current = 0
        var total: UInt64 = 0
        while !stop.isSet {
            socket.reclaim()
            publish(socket, base, &totals)
            var want = min(batch, socket.freeCount)
            if let quota {
                if total >= quota { break }
                want = Int(min(UInt64(want), quota - total))
            }
            if want == 0 {
                // Every frame is in flight: the kernel needs a wake-up or time to complete some.
                try socket.wake()
                continue
            }
            if let pacer {
                let now = MonotonicClock.now()
                let released = pacer.release(sent: total, wanted: want, now: now)
                if released == 0 {
                    try socket.wake()
                    MonotonicClock.sleep(until: min(pacer.wakeTime(sent: total, wanted: want), now &+ SendWorker.longestSleepNanoseconds))
                    continue
                }
                want = released
            }
            let sent = try fill(&socket, flow: current, count: want, first: queued[current], owners: owners)
            queued[current] &+= UInt64(sent)
            total &+= UInt64(sent)
            current = current &+ 1 == templates.count ? 0 : current &+ 1
        }
    }

    /// Queues `count` data frames of flow `flow`, numbered from `first`; returns how many were queued.
    @inline(__always)
    private func fill(_ socket: inout XDPTransmitSocket, flow: Int, count: Int, first: UInt64,
                      owners: UnsafeMutableBufferPointer<Int32>) throws(SocketError) -> Int {
        let template = templates[flow]
        let owner = Int32(truncatingIfNeeded: flow)
        let stamped = hostTag != nil && payload >= SequenceHeader.size
        let stampBytes = payload >= SequenceHeader.sizeWithTime ? SequenceHeader.sizeWithTime : SequenceHeader.size
        let flowID = flowIDs[flow]
        let tag = hostTag ?? 0
        let time = MonotonicClock.now()
        var sequence = first
        return try socket.transmit(limit: count) { index, frame in
            if owners[index] != owner {
                template.write(to: frame)
                owners[index] = owner
            }
            if stamped {
                let header = SequenceHeader(kind: .data, hostTag: tag, flow: flowID, sequence: sequence, sendTime: time)
                header.write(to: UnsafeMutableRawBufferPointer(start: frame + template.payloadOffset, count: stampBytes))
                template.updateChecksum(frame, changedBytes: stampBytes)
            }
            sequence &+= 1
            return template.frameLength
        }
    }

    /// A socket's counters at one moment.
    struct SocketCounts {
        let completed: UInt64
        let dropped: UInt64
        let wakeups: UInt64

        init(_ socket: borrowing XDPTransmitSocket) {
            completed = socket.completed
            dropped = socket.dropped
            wakeups = socket.wakeups
        }
    }

    /// Publishes what has left since `base`: frames completed, less those the device dropped.
    @inline(__always)
    private func publish(_ socket: borrowing XDPTransmitSocket, _ base: SocketCounts, _ totals: inout CounterSnapshot) {
        let completed = socket.completed &- base.completed
        let left = completed &- min(socket.dropped &- base.dropped, completed)
        let calls = socket.wakeups &- base.wakeups
        guard left != totals.packets || calls != totals.calls else { return }
        totals.packets = left
        totals.bytes = left &* UInt64(payload)
        totals.calls = calls
        slot.publish(totals)
    }

    /// Waits up to ``drainNanoseconds`` for the frames in flight to complete.
    private func drain(_ socket: inout XDPTransmitSocket) {
        let deadline = MonotonicClock.now() &+ Self.drainNanoseconds
        while socket.inFlight > 0 && MonotonicClock.now() < deadline {
            socket.reclaim()
            // A failing wake-up leaves the rest in flight; the caller says so.
            if (try? socket.wake()) == nil { return }
        }
    }

    /// Tells the receiver each flow is over and how many data datagrams were queued on it,
    /// as ``SendWorker`` does: three rounds a millisecond apart. Best effort, not counted.
    private func sendEndOfFlow(_ socket: inout XDPTransmitSocket, hostTag: UInt8, queued: UnsafeMutableBufferPointer<UInt64>,
                               owners: UnsafeMutableBufferPointer<Int32>) {
        let stampBytes = payload >= SequenceHeader.sizeWithTime ? SequenceHeader.sizeWithTime : SequenceHeader.size
        for marker in 0..<SendWorker.endMarkers {
            if marker > 0 { MonotonicClock.sleep(until: MonotonicClock.now() &+ SendWorker.endMarkerSpacingNanoseconds) }
            for flow in 0..<templates.count {
                let template = templates[flow]
                let header = SequenceHeader(kind: .endOfFlow, hostTag: hostTag, flow: flowIDs[flow], sequence: queued[flow], sendTime: 0)
                _ = try? socket.transmit(limit: 1) { index, frame in
                    template.write(to: frame)
                    owners[index] = -1
                    header.write(to: UnsafeMutableRawBufferPointer(start: frame + template.payloadOffset, count: stampBytes))
                    template.updateChecksum(frame, changedBytes: stampBytes)
                    return template.frameLength
                }
            }
            drain(&socket)
        }
    }
}
