#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Reporting

/// One echo thread's loop: each batch `recvmmsg` returns is answered with one
/// `sendmmsg`, each reply the request's bytes sent back to the request's source.
///
/// Built on PacketIO's public API as a user's server would be: `ReceiveBatch`
/// with sources, `forEachDatagram`, and a `SendBatch` with per-message destinations.
/// It never amplifies: one reply per request at most, exactly as long as the request.
/// With GRO (`coalescing`) a message may hold many requests (a GSO sender's
/// datagrams, coalesced by the kernel): each is answered as its own datagram, and
/// counts (requests, replies, `--count`) are datagrams, not messages. With
/// `segmentation` too, such a message goes back as GSO sends of its own bytes and
/// segment size (``EchoOptions/segmentation``), which the kernel cuts into the same datagrams.
struct EchoWorker: Sendable {
    let descriptor: Int32
    let batch: Int
    let latch: StartLatch
    let limit: UInt64?
    let slot: WordSlot
    let stop: StopFlag
    let total: SharedTotal
    let sockperf: Bool
    let coalescing: Bool
    /// Answer coalesced requests with GSO sends (never with `sockperf`).
    let segmentation: Bool
    /// For the one line that says the kernel refused a GSO reply.
    let control: RunControl
    /// The thread's accounts of requests that carry `mpps ping`'s header.
    let flows: EchoFlowTables.Slot

    /// Echoes until a stop request, the socket shut down for reading (``EchoRun/stop()``: a blocked
    /// receive wakes at once) or, with a limit, until the run's requests reach it.
    /// Allocates both batches before the loop and nothing in it. A failed receive ends
    /// the loop (the error is returned); a failed reply is counted and the loop goes on.
    func run() -> SocketError? {
        var requests = ReceiveBatch(capacity: batch, slotSize: EchoOptions.slotSize, recordsSources: true,
                                    controlSize: coalescing ? ReceiveBatch.standardControlSize : 0)
        let gso = segmentation && !sockperf
        let replies = SendBatch(capacity: batch, payloadSize: EchoOptions.largestReply, perMessageDestinations: true,
                                perMessageSegmentSizes: gso)
        var state = SendState()
        var counts = Counts()
        var wait = EchoWait()
        latch.arrive()
        while !stop.isSet {
            guard let want = total.nextRequest(batch: batch, limit: limit) else { stop.set(); break }
            let received: Int
            let callLimit = wait.limit(want, now: MonotonicClock.now())
            do throws(SocketError) { received = try requests.receive(descriptor: descriptor, limit: callLimit) } catch {
                // The run shut the socket down for reading: what was queued has been answered.
                return error.code == ESHUTDOWN ? nil : error
            }
            wait.update(received: received, now: MonotonicClock.now())
            if received == 0 { continue }
            counts.receiveCalls &+= 1
            let before = counts.requests
            let prepared = Self.prepare(requests, into: replies, sockperf: sockperf, segmentation: gso,
                                        counts: &counts) { full, counts in
                // Coalesced requests can outnumber the replies' slots: answer those prepared, then go on.
                Self.answer(replies, count: full, descriptor: descriptor, state: &state, counts: &counts)
            }
            Self.answer(replies, count: prepared, descriptor: descriptor, state: &state, counts: &counts)
            // After the replies went: the flows' accounts cost a ping-pong's round trip nothing.
            Self.countFlows(requests, in: flows.table)
            if let refusal = counts.refusal {
                // The route refuses GSO (a device without checksum offload, an old kernel): once per thread.
                control.notice("mpps echo: the kernel refused a GSO reply (\(refusal)): answering one datagram per message from now on")
                counts.refusal = nil
            }
            counts.publish(to: slot)
            if let limit, total.add(counts.requests &- before) >= limit { stop.set() }
        }
        return nil
    }

    /// Counts every request that carries `mpps ping`'s header in its flow's account,
    /// those of a message answered whole with GSO too.
    static func countFlows(_ requests: borrowing ReceiveBatch, in flows: UnsafeMutablePointer<EchoFlowTable>) {
        var now: UInt64 = 0
        requests.forEachDatagram { request in
            if let source = request.source { flows.pointee.count(request.bytes, source: source, now: &now) }
        }
    }

    /// Copies each request that can be returned whole into the next reply, addressed
    /// to its source; counts the rest by cause. With `segmentation`, a coalesced message is copied whole into GSO replies
    /// (``prepareRun(_:of:to:into:at:counts:flush:)``) and its later segments skipped.
    /// When every reply slot is taken, `flush` answers them and the slots are used again.
    /// Returns the replies prepared.
    @inline(never)
    static func prepare(_ requests: borrowing ReceiveBatch, into replies: borrowing SendBatch, sockperf: Bool,
                        segmentation: Bool = false, counts: inout Counts,
                        flush: (Int, inout Counts) -> Void) -> Int {
        var prepared = 0
        var whole = -1  // the message answered whole: its segments are counted already
        requests.forEachDatagram { request in
            if request.message == whole { return }
            if prepared == replies.capacity {
                flush(prepared, &counts)
                prepared = 0
            }
            if segmentation && request.segment == 0, let source = request.source, !request.isTruncated,
               requests.datagramCount(at: request.message) > 1,
               requests.length(at: request.message) <= replies.messageCapacity {
                whole = request.message
                prepared = prepareRun(requests, of: request.message, to: source, into: replies, at: prepared,
                                      counts: &counts, flush: flush)
                return
            }
            counts.requests &+= 1
            counts.requestBytes &+= UInt64(request.bytes.count)
            if request.isTruncated || request.bytes.count > replies.messageCapacity { counts.truncated &+= 1; return }
            guard let source = request.source else { counts.noSource &+= 1; return }
            let header = sockperf ? SockperfHeader(request.bytes) : nil
            if let header, !header.asksForReply { counts.unasked &+= 1; return }
            replies.setMessage(copying: request.bytes, at: prepared)
            if header != nil { replies.withUnsafeMutableMessage(at: prepared) { SockperfHeader.markAsServers($0) } }
            if segmentation { replies.setSegmentSize(0, at: prepared) }
            replies.setDestination(source, at: prepared)
            prepared &+= 1
        }
        return prepared
    }

    /// Copies coalesced message `message` whole into GSO replies from slot `prepared` on:
    /// the same bytes, the same segment size, at most ``EchoOptions/segmentsPerReply``
    /// segments per reply (a run of one goes without GSO). Counts its requests;
    /// returns the replies prepared, after `flush` when the slots ran out.
    @inline(__always)
    static func prepareRun(_ requests: borrowing ReceiveBatch, of message: Int, to source: SocketAddress,
                           into replies: borrowing SendBatch, at prepared: Int, counts: inout Counts,
                           flush: (Int, inout Counts) -> Void) -> Int {
        let bytes = requests.unsafeBytes(at: message)
        let size = requests.segmentSize(at: message)
        let segments = requests.datagramCount(at: message)
        counts.requests &+= UInt64(segments)
        counts.requestBytes &+= UInt64(bytes.count)
        var prepared = prepared
        var first = 0
        while first < segments {
            if prepared == replies.capacity {
                flush(prepared, &counts)
                prepared = 0
            }
            let run = min(EchoOptions.segmentsPerReply, segments &- first)
            // first < segments = ⌈count / size⌉, so first × size < count: in bounds, no overflow.
            let offset = first &* size
            let end = min(offset &+ run &* size, bytes.count)
            replies.setMessage(copying: UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), at: prepared)
            replies.setSegmentSize(run > 1 ? size : 0, at: prepared)
            replies.setDestination(source, at: prepared)
            prepared &+= 1
            first &+= run
        }
        return prepared
    }

    /// Sends replies `0..<count`, usually with one `sendmmsg`. A reply message the
    /// kernel refuses is counted by cause, each of its datagrams (a GSO message is
    /// all or nothing), and skipped; a send timeout leaves the rest unsent. When the
    /// kernel refuses GSO, `sendAll` sends the same replies one datagram per message
    /// (and every later one): nothing is lost, the refusal is counted and kept in `counts`.
    static func answer(_ replies: borrowing SendBatch, count: Int, descriptor: Int32, state: inout SendState,
                       counts: inout Counts) {
        var next = 0
        var segment = 0
        while next < count {
            let outcome = replies.sendAll(from: next, firstSegment: segment, to: count, descriptor: descriptor, state: &state)
            counts.record(outcome, of: replies, from: next, firstSegment: segment)
            next &+= outcome.messages
            segment = outcome.resumeSegment
            guard next < count else { break }
            // What the kernel did not take of message `next`: its datagrams from `segment` on.
            let left = UInt64(replies.datagramCount(at: next) &- segment)
            segment = 0
            if outcome.noBuffers > 0 {
                counts.noBuffers &+= left
                next &+= 1
            } else if outcome.wouldBlock {
                counts.timedOut &+= left
                next &+= 1
                while next < count {
                    counts.timedOut &+= UInt64(replies.datagramCount(at: next))
                    next &+= 1
                }
            } else {
                counts.sendErrors &+= left
                next &+= 1
            }
        }
    }

    /// The thread's running totals, kept in registers and published once per batch.
    struct Counts {
        var requests: UInt64 = 0
        var requestBytes: UInt64 = 0
        var receiveCalls: UInt64 = 0
        var replies: UInt64 = 0
        var replyBytes: UInt64 = 0
        var sendCalls: UInt64 = 0
        var truncated: UInt64 = 0
        var noSource: UInt64 = 0
        var noBuffers: UInt64 = 0
        var timedOut: UInt64 = 0
        var sendErrors: UInt64 = 0
        var refusedRetries: UInt64 = 0
        var unasked: UInt64 = 0
        var gsoMessages: UInt64 = 0
        var gsoFallbacks: UInt64 = 0
        /// The errno of a GSO refusal not yet told (not published).
        var refusal: Errno?

        /// Adds what one `sendAll` from datagram `firstSegment` of message `start` sent.
        @inline(__always)
        mutating func record(_ outcome: SendOutcome, of batch: borrowing SendBatch, from start: Int, firstSegment: Int) {
            replies &+= UInt64(outcome.datagrams)
            sendCalls &+= UInt64(outcome.calls)
            refusedRetries &+= UInt64(outcome.refused)
            gsoMessages &+= UInt64(outcome.segmentedMessages)
            // The bytes: whole messages, less what was sent of the first before, plus what of the last.
            var bytes = 0
            var index = start
            while index < start &+ outcome.messages {
                bytes &+= batch.messageLength(at: index)
                index &+= 1
            }
            bytes &-= Self.sentBytes(of: batch, at: start, segments: firstSegment)
            bytes &+= Self.sentBytes(of: batch, at: index, segments: outcome.resumeSegment)
            replyBytes &+= UInt64(bytes)
            if let refused = outcome.segmentationRefused {
                gsoFallbacks &+= 1
                refusal = refused
            }
        }

        /// The bytes of the first `segments` datagrams of message `index` (0 when none).
        @inline(__always)
        static func sentBytes(of replies: borrowing SendBatch, at index: Int, segments: Int) -> Int {
            guard segments > 0 else { return 0 }
            return min(segments &* replies.segmentSize(at: index), replies.messageLength(at: index))
        }

        @inline(__always)
        func publish(to slot: WordSlot) {
            slot.store(requests, at: EchoCount.requests.rawValue)
            slot.store(requestBytes, at: EchoCount.requestBytes.rawValue)
            slot.store(receiveCalls, at: EchoCount.receiveCalls.rawValue)
            slot.store(replies, at: EchoCount.replies.rawValue)
            slot.store(replyBytes, at: EchoCount.replyBytes.rawValue)
            slot.store(sendCalls, at: EchoCount.sendCalls.rawValue)
            slot.store(truncated, at: EchoCount.truncated.rawValue)
            slot.store(noSource, at: EchoCount.noSource.rawValue)
            slot.store(noBuffers, at: EchoCount.noBuffers.rawValue)
            slot.store(timedOut, at: EchoCount.timedOut.rawValue)
            slot.store(sendErrors, at: EchoCount.sendErrors.rawValue)
            slot.store(refusedRetries, at: EchoCount.refusedRetries.rawValue)
            slot.store(unasked, at: EchoCount.unasked.rawValue)
            slot.store(gsoMessages, at: EchoCount.gsoMessages.rawValue)
            slot.store(gsoFallbacks, at: EchoCount.gsoFallbacks.rawValue)
        }
    }
}
