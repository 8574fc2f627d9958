#if canImport(Glibc)
import Glibc
#endif
import PacketIO

/// One sending thread's loop and everything it needs, as plain values.
struct SendWork: Sendable {
    let descriptor: Int32
    let batch: Int
    let payload: Int
    let segments: Int
    let control: RunControl
    /// The header to write into every datagram; nil for all-zero payloads.
    let stamp: SequenceStamp?
    let quota: UInt64?
    /// This thread's datagrams per second; nil for as fast as possible.
    let rate: Double?
    let slot: CounterSlot
    let stop: StopFlag

    /// The longest a paced sender sleeps before looking at the stop request again.
    static let longestSleepNanoseconds: UInt64 = 50_000_000

    /// Sends until the quota is met or a stop is requested. Counts a datagram
    /// when the kernel accepted it. Allocates once (the batch) before the loop,
    /// and once more only if the kernel refuses GSO mid-run.
    func run() throws(SocketError) {
        var segments = self.segments
        var storage = SendBatch(capacity: Self.messagesPerCall(batch: batch, segments: segments),
                                payloadSize: payload, segmentsPerMessage: segments)
        var totals = CounterSnapshot()
        slot.publishCPU(CPUList.currentCPU())
        // The schedule starts once the batch is ready, so set-up time is not made up in a burst.
        let pacer = rate.map { Pacer(rate: $0, maximumBurst: batch, start: MonotonicClock.now()) }
        while !stop.isSet {
            var want = storage.capacity &* segments
            if let quota {
                if totals.packets >= quota { break }
                want = Int(min(UInt64(want), quota - totals.packets))
            }
            if let pacer {
                let now = MonotonicClock.now()
                let released = pacer.release(sent: totals.packets, wanted: want, now: now)
                if released == 0 {
                    MonotonicClock.sleep(until: min(pacer.wakeTime(sent: totals.packets, wanted: want),
                                                    now &+ Self.longestSleepNanoseconds))
                    continue
                }
                want = released
            }
            // `want` datagrams: full messages, then one with the remainder.
            let messages = (want &+ segments &- 1) / segments
            let lastSegments = want &- (messages &- 1) &* segments
            if segments > 1 { storage.setSegments(lastSegments, at: messages &- 1) }
            if let stamp {
                stamp.write(into: storage, count: want, segments: segments, firstSequence: totals.packets,
                            time: MonotonicClock.now())
            }
            var done = 0
            while done < messages && !stop.isSet {
                do {
                    let sent = try storage.send(descriptor: descriptor, from: done, to: messages)
                    if sent > 0 {
                        done &+= sent
                        totals.calls &+= 1
                    }
                } catch where error.code == ECONNREFUSED {
                    // An ICMP port unreachable from an earlier datagram: nobody listens (yet). The
                    // message this call was about to send was not sent; count the refusal and go on.
                    totals.refused &+= 1
                } catch where error.code == ENOBUFS {
                    totals.noBuffers &+= 1
                } catch where segments > 1 && (error.code == EIO || error.code == EINVAL) {
                    // The route refuses GSO (no checksum offload on the device, say): degrade, once.
                    control.notice("mpps send: the kernel refused a GSO send (\(error.reason)): sending one datagram per message from now on")
                    try UDPSocket.setSegmentSize(0, descriptor: descriptor)
                    break
                }
            }
            let sentDatagrams = done == messages ? want : done &* segments
            totals.packets &+= UInt64(sentDatagrams)
            totals.bytes &+= UInt64(sentDatagrams &* payload)
            slot.publish(totals)
            if segments > 1 { storage.setSegments(segments, at: messages &- 1) }
            if done < messages && !stop.isSet {
                segments = 1
                storage = SendBatch(capacity: Self.messagesPerCall(batch: batch, segments: 1), payloadSize: payload)
            }
        }
        slot.publish(totals)
        if let stamp { sendEndOfFlow(stamp, count: totals.packets, storage: storage) }
    }

    /// How many end-of-flow datagrams close a flow, and how far apart: several,
    /// so that one lost to a full buffer does not hide the flow's tail.
    static let endMarkers = 3
    static let endMarkerSpacingNanoseconds: UInt64 = 1_000_000

    /// Tells the receiver this flow is over and that `count` data datagrams were
    /// sent on it. Best effort: errors are ignored, and the markers are not data.
    private func sendEndOfFlow(_ stamp: SequenceStamp, count: UInt64, storage: borrowing SendBatch) {
        storage.setMessageLength(payload, at: 0)
        _ = storage.withUnsafeMutablePayload(at: 0) { stamp.header(.endOfFlow, sequence: count, time: 0).write(to: $0) }
        for marker in 0..<Self.endMarkers {
            if marker > 0 { MonotonicClock.sleep(until: MonotonicClock.now() &+ Self.endMarkerSpacingNanoseconds) }
            _ = try? storage.send(descriptor: descriptor, from: 0, to: 1)
        }
    }

    /// Messages per `sendmmsg` call: `batch` datagrams' worth, at least one message.
    static func messagesPerCall(batch: Int, segments: Int) -> Int {
        max(1, batch / segments)
    }
}

/// What a sending thread writes into each datagram's header.
struct SequenceStamp: Sendable {
    let flow: UInt32
    let hostTag: UInt8

    @inline(__always)
    func header(_ kind: SequenceHeader.Kind, sequence: UInt64, time: UInt64) -> SequenceHeader {
        SequenceHeader(kind: kind, hostTag: hostTag, flow: flow, sequence: sequence, sendTime: time)
    }

    /// Stamps the first `count` datagrams of `batch` (message by message,
    /// segment by segment) with sequence numbers from `firstSequence`.
    @inline(__always)
    func write(into batch: borrowing SendBatch, count: Int, segments: Int, firstSequence: UInt64, time: UInt64) {
        var sequence = firstSequence
        var message = 0
        var left = count
        while left > 0 {
            let inMessage = min(left, segments)
            var segment = 0
            while segment < inMessage {
                _ = batch.withUnsafeMutablePayload(at: message, segment: segment) {
                    header(.data, sequence: sequence, time: time).write(to: $0)
                }
                sequence &+= 1
                segment &+= 1
            }
            left &-= inMessage
            message &+= 1
        }
    }
}
