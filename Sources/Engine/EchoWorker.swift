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
/// counts (requests, replies, `--count`) are datagrams, not messages.
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
    /// The thread's accounts of requests that carry `mpps ping`'s header.
    let flows: EchoFlowTables.Slot

    /// Echoes until a stop request, the socket shut down for reading (``EchoRun/stop()``: a blocked
    /// receive wakes at once) or, with a limit, until the run's requests reach it.
    /// Allocates both batches before the loop and nothing in it. A failed receive ends
    /// the loop (the error is returned); a failed reply is counted and the loop goes on.
    func run() -> SocketError? {
        var requests = ReceiveBatch(capacity: batch, slotSize: EchoOptions.slotSize, recordsSources: true,
                                    controlSize: coalescing ? ReceiveBatch.standardControlSize : 0)
        let replies = SendBatch(capacity: batch, payloadSize: EchoOptions.largestReply, perMessageDestinations: true)
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
            let prepared = Self.prepare(requests, into: replies, sockperf: sockperf, flows: flows.table, counts: &counts) { full, counts in
                // Coalesced requests can outnumber the replies' slots: answer those prepared, then go on.
                Self.answer(replies, count: full, descriptor: descriptor, state: &state, counts: &counts)
            }
            Self.answer(replies, count: prepared, descriptor: descriptor, state: &state, counts: &counts)
            counts.publish(to: slot)
            if let limit, total.add(counts.requests &- before) >= limit { stop.set() }
        }
        return nil
    }

    /// Copies each request that can be returned whole into the next reply, addressed
    /// to its source; counts the rest by cause, and each request with ping's header in
    /// `flows`. When every reply slot is taken, `flush` answers them and the slots are
    /// used again. Returns the replies prepared.
    @inline(never)
    static func prepare(_ requests: borrowing ReceiveBatch, into replies: borrowing SendBatch, sockperf: Bool,
                        flows: UnsafeMutablePointer<EchoFlowTable>, counts: inout Counts,
                        flush: (Int, inout Counts) -> Void) -> Int {
        var prepared = 0
        var now: UInt64 = 0
        requests.forEachDatagram { request in
            if prepared == replies.capacity {
                flush(prepared, &counts)
                prepared = 0
            }
            counts.requests &+= 1
            counts.requestBytes &+= UInt64(request.bytes.count)
            if let source = request.source { flows.pointee.count(request.bytes, source: source, now: &now) }
            if request.isTruncated || request.bytes.count > replies.messageCapacity { counts.truncated &+= 1; return }
            guard let source = request.source else { counts.noSource &+= 1; return }
            let header = sockperf ? SockperfHeader(request.bytes) : nil
            if let header, !header.asksForReply { counts.unasked &+= 1; return }
            replies.setMessage(copying: request.bytes, at: prepared)
            if header != nil { replies.withUnsafeMutableMessage(at: prepared) { SockperfHeader.markAsServers($0) } }
            replies.setDestination(source, at: prepared)
            prepared &+= 1
        }
        return prepared
    }

    /// Sends replies `0..<count`, usually with one `sendmmsg`. A reply the kernel
    /// refuses is counted by cause and skipped; a send timeout leaves the rest unsent.
    static func answer(_ replies: borrowing SendBatch, count: Int, descriptor: Int32, state: inout SendState,
                       counts: inout Counts) {
        var next = 0
        while next < count {
            let outcome = replies.sendAll(from: next, to: count, descriptor: descriptor, state: &state)
            var index = next
            while index < next &+ outcome.messages {
                counts.replyBytes &+= UInt64(replies.messageLength(at: index))
                index &+= 1
            }
            counts.replies &+= UInt64(outcome.messages)
            counts.sendCalls &+= UInt64(outcome.calls)
            counts.refusedRetries &+= UInt64(outcome.refused)
            next &+= outcome.messages
            guard next < count else { break }
            if outcome.noBuffers > 0 {
                counts.noBuffers &+= 1
                next &+= 1
            } else if outcome.wouldBlock {
                counts.timedOut &+= UInt64(count &- next)
                next = count
            } else {
                counts.sendErrors &+= 1
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
        }
    }
}
