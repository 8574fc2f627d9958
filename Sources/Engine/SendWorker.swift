#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Reporting

/// One sending thread's loop and everything it needs, as plain values.
struct SendWorker: Sendable {
    /// The thread's flows, sent in turn, one batch each.
    let flows: [SendFlow]
    let batch: Int
    let payload: Int
    let segments: Int
    let control: RunControl
    /// The host tag of the header written into every datagram; nil for all-zero payloads.
    let hostTag: UInt8?
    let quota: UInt64?
    /// This thread's datagrams per second; nil for as fast as possible.
    let rate: Double?
    let slot: CounterSlot
    let stop: StopFlag

    /// A thread with several flows.
    init(flows: [SendFlow], batch: Int, payload: Int, segments: Int, control: RunControl, hostTag: UInt8?,
         quota: UInt64?, rate: Double?, slot: CounterSlot, stop: StopFlag) {
        precondition(!flows.isEmpty, "a sending thread needs a flow")
        self.flows = flows
        self.batch = batch
        self.payload = payload
        self.segments = segments
        self.control = control
        self.hostTag = hostTag
        self.quota = quota
        self.rate = rate
        self.slot = slot
        self.stop = stop
    }

    /// A thread with one flow on `descriptor`, stamped with `stamp`'s flow id (nil: all-zero payloads).
    init(descriptor: Int32, batch: Int, payload: Int, segments: Int, control: RunControl, stamp: SequenceStamp?,
         quota: UInt64?, rate: Double?, slot: CounterSlot, stop: StopFlag) {
        self.init(flows: [SendFlow(descriptor: descriptor, id: stamp?.flow ?? 0)], batch: batch, payload: payload,
                  segments: segments, control: control, hostTag: stamp?.hostTag, quota: quota, rate: rate,
                  slot: slot, stop: stop)
    }

    /// The longest a paced sender sleeps before looking at the stop request again.
    static let longestSleepNanoseconds: UInt64 = 50_000_000

    /// Sends until the quota is met or a stop is requested, one batch per flow
    /// in turn. Counts a datagram when the kernel accepted it. Allocates twice
    /// (the batch, the flows' cursors) before the loop and never inside it.
    ///
    /// A partial send is finished by the library's ``SendBatch/sendAll(from:firstSegment:to:descriptor:state:)``,
    /// which also falls back from GSO, per socket, when the kernel refuses it: the
    /// same batch then goes out one datagram per message, and its counts stay exact.
    func run() throws(SocketError) {
        let segments = self.segments
        let storage = SendBatch(capacity: Self.messagesPerCall(batch: batch, segments: segments),
                                payloadSize: payload, segmentsPerMessage: segments)
        let cursors = makeCursors()
        defer { cursors.deallocate() }
        var current = 0
        var totals = CounterSnapshot()
        slot.publishCPU(CPUList.currentCPU())
        // The schedule starts once the batch is ready, so set-up time is not made up in a burst.
        let pacer = rate.map { Pacer(rate: $0, maximumBurst: batch, start: MonotonicClock.now()) }
        while !stop.isSet {
            guard let want = nextBatchSize(capacity: storage.capacity, sent: totals.packets, pacer: pacer) else { break }
            if want == 0 { continue }
            // `want` datagrams: full messages, then one with the remainder.
            let messages = (want &+ segments &- 1) / segments
            let lastSegments = want &- (messages &- 1) &* segments
            if segments > 1 { storage.setSegments(lastSegments, at: messages &- 1) }
            if let hostTag {
                storage.stampDataHeaders(flow: cursors[current].flow, hostTag: hostTag,
                                         firstSequence: cursors[current].sent, sendTime: MonotonicClock.now(),
                                         count: want)
            }
            let failure = sendMessages(messages, from: storage, cursor: &cursors[current], totals: &totals)
            current = current &+ 1 == cursors.count ? 0 : current &+ 1
            slot.publish(totals)
            if segments > 1 { storage.setSegments(segments, at: messages &- 1) }
            if let failure { throw failure }
        }
        slot.publish(totals)
        if let hostTag { sendEndOfFlow(cursors, hostTag: hostTag, storage: storage) }
    }

    /// One cursor per flow, allocated before the loop.
    /// Safety: the caller frees it on every way out; this thread alone touches it.
    private func makeCursors() -> UnsafeMutableBufferPointer<FlowCursor> {
        let cursors = UnsafeMutableBufferPointer<FlowCursor>.allocate(capacity: flows.count)
        for index in 0..<flows.count {
            cursors.initializeElement(at: index, to: FlowCursor(descriptor: flows[index].descriptor, flow: flows[index].id))
        }
        return cursors
    }

    /// The datagrams of the next batch: a batch's worth (`capacity` messages),
    /// no more than the quota leaves, no more than the pacer releases. Nil once
    /// the quota is met; 0 after sleeping until the pacer releases more (or the
    /// longest sleep passed), so the caller looks at the stop request again.
    @inline(__always)
    private func nextBatchSize(capacity: Int, sent: UInt64, pacer: Pacer?) -> Int? {
        var want = capacity &* segments
        if let quota {
            if sent >= quota { return nil }
            want = Int(min(UInt64(want), quota - sent))
        }
        guard let pacer else { return want }
        let now = MonotonicClock.now()
        let released = pacer.release(sent: sent, wanted: want, now: now)
        if released == 0 {
            MonotonicClock.sleep(until: min(pacer.wakeTime(sent: sent, wanted: want), now &+ Self.longestSleepNanoseconds))
        }
        return released
    }

    /// Sends the first `messages` messages of `storage` on `cursor`'s flow until
    /// all went out, the send failed, or a stop was requested, and adds what was
    /// sent to the cursor and to `totals`. Returns the error that ended it, if any:
    /// the datagrams before it are counted all the same.
    @inline(__always)
    private func sendMessages(_ messages: Int, from storage: borrowing SendBatch, cursor: inout FlowCursor,
                              totals: inout CounterSnapshot) -> SocketError? {
        var done = 0
        var segment = 0
        var sentDatagrams = 0
        var failure: SocketError?
        while done < messages && !stop.isSet {
            let outcome = storage.sendAll(from: done, firstSegment: segment, to: messages, descriptor: cursor.descriptor,
                                          state: &cursor.sendState)
            done &+= outcome.messages
            segment = outcome.resumeSegment
            sentDatagrams &+= outcome.datagrams
            totals.calls &+= UInt64(outcome.calls)
            // ECONNREFUSED: an ICMP port unreachable from an earlier datagram, nobody listens (yet);
            // the library made the call again. ENOBUFS and a send timeout: the loop tries again.
            totals.refused &+= UInt64(outcome.refused)
            totals.noBuffers &+= UInt64(outcome.noBuffers)
            if let refusal = outcome.segmentationRefused {
                // The route refuses GSO (no checksum offload on the device, say): this socket degrades, once.
                control.notice("mpps send: the kernel refused a GSO send (\(refusal)): sending one datagram per message from now on")
            }
            if let error = outcome.error {
                failure = error
                break
            }
        }
        cursor.sent &+= UInt64(sentDatagrams)
        totals.packets &+= UInt64(sentDatagrams)
        totals.bytes &+= UInt64(sentDatagrams &* payload)
        return failure
    }

    /// How many end-of-flow datagrams close a flow, and how far apart: several,
    /// so that one lost to a full buffer does not hide the flow's tail.
    static let endMarkers = 3
    static let endMarkerSpacingNanoseconds: UInt64 = 1_000_000

    /// Tells the receiver each flow is over and how many data datagrams were
    /// sent on it. Best effort: errors are ignored, and the markers are not data.
    /// Each round sends one marker per flow, so the spacing does not grow with the flows.
    private func sendEndOfFlow(_ cursors: UnsafeMutableBufferPointer<FlowCursor>, hostTag: UInt8, storage: borrowing SendBatch) {
        storage.setMessageLength(payload, at: 0)
        for marker in 0..<Self.endMarkers {
            if marker > 0 { MonotonicClock.sleep(until: MonotonicClock.now() &+ Self.endMarkerSpacingNanoseconds) }
            for cursor in cursors {
                let stamp = SequenceStamp(flow: cursor.flow, hostTag: hostTag)
                _ = storage.withUnsafeMutablePayload(at: 0) { stamp.header(.endOfFlow, sequence: cursor.sent, time: 0).write(to: $0) }
                _ = try? storage.send(descriptor: cursor.descriptor, from: 0, to: 1)
            }
        }
    }

    /// Messages per `sendmmsg` call: `batch` datagrams' worth, at least one message.
    static func messagesPerCall(batch: Int, segments: Int) -> Int {
        max(1, batch / segments)
    }
}
