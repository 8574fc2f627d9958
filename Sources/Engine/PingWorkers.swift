import PacketIO
import Reporting

/// What a ping thread is given for each of its flows: the flow's socket, number,
/// share of the count, schedule and counter slots.
struct PingFlowSetup: Sendable {
    let descriptor: Int32
    let options: PingOptions
    let token: UInt32
    let flow: UInt16
    /// The flow's share of the count; nil without one.
    let quota: UInt64?
    /// The open loop's schedule for this flow; nil in a closed loop.
    let schedule: Pacer?
    /// The flow's counts (``PingCount``, without the histograms).
    let slot: WordSlot
    /// The thread's RTT histograms, sums and maxima, which its flows share.
    let latency: WordSlot
    let answered: WordSlot
    let stop: StopFlag

    var timeout: UInt64 { Units.nanoseconds(options.timeoutSeconds) }

    /// The reply judge; with `--sockperf` it judges the part after sockperf's header as a whole reply.
    func tracker() -> PingTracker {
        PingTracker(token: token, flow: flow, payload: options.payload - options.pingHeaderOffset, target: options.target,
                    timeout: timeout, schedule: schedule, answered: answered, slot: latency, counts: slot)
    }

    func sendPart(capacity: Int = PingOptions.batch) -> PingSendPart {
        PingSendPart(descriptor: descriptor, target: options.target, payload: options.payload, token: token, flow: flow,
                     schedule: schedule, slot: slot, capacity: capacity, sockperf: options.sockperf)
    }

    /// Requests not yet stamped of the flow's share (all there are without a count).
    func quotaLeft(sent: UInt64) -> UInt64 { quota.map { $0 > sent ? $0 - sent : 0 } ?? .max }

    /// Receives one batch of at most `limit` datagrams and judges every one; `completed` is
    /// called with each sequence the batch completed (in time or late). Returns the messages read.
    @discardableResult
    func receive(_ batch: inout ReceiveBatch, limit: Int = .max, tracker: inout PingTracker,
                 completed: (UInt64) -> Void) throws(SocketError) -> Int {
        let received = try batch.receive(descriptor: descriptor, limit: limit)
        guard received > 0 else { return 0 }
        let now = MonotonicClock.now()
        let sent = slot.load(at: PingCount.sent.rawValue)
        slot.bump(at: PingCount.receiveCalls.rawValue)
        let sockperf = options.sockperf
        batch.forEachDatagram { datagram in
            let verdict = sockperf ? tracker.judge(sockperf: datagram.bytes, source: datagram.source, now: now, sent: sent)
                : tracker.judge(datagram.bytes, source: datagram.source, now: now, sent: sent)
            switch verdict {
            case .reply(let sequence), .late(let sequence): completed(sequence)
            default: break
            }
        }
        return received
    }

    /// Requests stamped but neither refused, answered nor late, per the slot.
    var unresolved: UInt64 {
        let sent = slot.load(at: PingCount.sent.rawValue)
        let resolved = slot.load(at: PingCount.sendErrors.rawValue) &+ slot.load(at: PingCount.replies.rawValue)
            &+ slot.load(at: PingCount.late.rawValue)
        return sent > resolved ? sent - resolved : 0
    }
}

/// The closed loop on one thread: `--inflight N` requests out, and each reply (or
/// timeout) lets the next one go. With N = 1, sockperf's ping-pong.
struct ClosedLoopWorker: Sendable {
    let setup: PingFlowSetup

    func run() -> SocketError? {
        let window = setup.options.inflight ?? 1
        var part = setup.sendPart()
        var tracker = setup.tracker()
        var batch = ReceiveBatch(capacity: PingOptions.batch, slotSize: setup.options.payload + 1, recordsSources: true,
                                 controlSize: 0)
        // The requests in flight: sequence and actual send time; freed by a reply, a late one or the timeout.
        let flying = UnsafeMutablePointer<InFlight.Place>.allocate(capacity: window)
        defer { flying.deallocate() }
        var inFlight = 0
        var drainUntil: UInt64?
        defer { part.finish() }
        while true {
            let quotaLeft = setup.quota.map { $0 > part.sent ? $0 - part.sent : 0 } ?? .max
            if drainUntil == nil && (setup.stop.isSet || quotaLeft == 0) {
                part.finish()
                drainUntil = MonotonicClock.now() &+ setup.timeout
            }
            if drainUntil == nil && inFlight < window {
                let count = Int(min(UInt64(min(window - inFlight, PingOptions.batch)), quotaLeft))
                let first = part.sent
                part.send(count)
                let now = MonotonicClock.now()
                for index in 0..<count { flying[inFlight + index] = (first &+ UInt64(index), now) }
                inFlight += count
            }
            if inFlight == 0, drainUntil != nil { return nil }
            do throws(SocketError) {
                // No more replies can come than requests are out: asking recvmmsg for more makes it try
                // (and fail) one more receive after the last reply, each round trip (strangers wait a round).
                try setup.receive(&batch, limit: max(inFlight, 1), tracker: &tracker) { sequence in
                    InFlight.free(sequence, flying, &inFlight)
                }
            } catch { return error }
            let now = MonotonicClock.now()
            InFlight.expire(flying, &inFlight, now: now, timeout: setup.timeout)
            if let drainUntil, now >= drainUntil { return nil }
        }
    }
}

/// A closed loop's requests in flight, as `count` places (sequence, actual send time) at
/// `flying`; a place is freed by moving the last one into it. Plain loops: the generic
/// searches (`first(where:)`) allocate per call in a debug build.
enum InFlight {
    typealias Place = (sequence: UInt64, time: UInt64)

    /// Frees `sequence`'s place, if it has one.
    static func free(_ sequence: UInt64, _ flying: UnsafeMutablePointer<Place>, _ count: inout Int) {
        var index = 0
        while index < count {
            if flying[index].sequence == sequence {
                count -= 1
                flying[index] = flying[count]
                return
            }
            index += 1
        }
    }

    /// Frees the places of requests sent more than `timeout` before `now`.
    static func expire(_ flying: UnsafeMutablePointer<Place>, _ count: inout Int, now: UInt64, timeout: UInt64) {
        var index = 0
        while index < count {
            if now &- flying[index].time > timeout {
                count -= 1
                flying[index] = flying[count]
            } else { index += 1 }
        }
    }
}

/// The open loop's sending thread: requests go on the schedule whatever comes back,
/// unless a cap on requests in flight (`--inflight` with `--rate`) holds them back.
struct OpenLoopSender: Sendable {
    let setup: PingFlowSetup

    func run() {
        guard let schedule = setup.schedule else { return }
        var part = setup.sendPart()
        defer { part.finish() }
        let cap = setup.options.inflight.map { UInt64($0) }
        var cursor = Expiry()
        while !setup.stop.isSet {
            let wanted = setup.quota.map { $0 > part.sent ? $0 - part.sent : 0 } ?? UInt64(PingOptions.batch)
            if wanted == 0 { return }
            let now = MonotonicClock.now()
            var count = schedule.release(sent: part.sent, wanted: Int(min(wanted, UInt64(PingOptions.batch))), now: now)
            if let cap {
                let flying = cursor.inFlight(setup, sent: part.sent, now: now)
                count = Int(min(UInt64(count), cap > flying ? cap - flying : 0))
                if count == 0 && flying >= cap { MonotonicClock.pause(nanoseconds: 20_000); continue }
            }
            if count == 0 {
                let wake = schedule.wakeTime(sent: part.sent, wanted: Int(min(wanted, UInt64(PingOptions.batch))))
                // Short sleeps, so a stop request is seen within a few milliseconds at low rates.
                MonotonicClock.sleep(until: min(wake, now &+ 5_000_000))
                continue
            }
            part.send(count)
        }
    }

    /// The oldest request that may still be in flight, and the requests whose time ran out:
    /// for the cap, a request is in flight until answered, refused or `--timeout` after it was due.
    struct Expiry {
        var oldest: UInt64 = 0
        var expired: UInt64 = 0

        mutating func inFlight(_ setup: PingFlowSetup, sent: UInt64, now: UInt64) -> UInt64 {
            let tracker = setup.tracker()
            while oldest < sent {
                // sent - oldest ≤ the cap ≤ a quarter of the window: the bit is still this request's.
                let answered = tracker.isAnswered(oldest)
                let due = setup.schedule?.dueTime(of: oldest) ?? now
                if !answered && now < due &+ setup.timeout { break }
                if !answered { expired &+= 1 }
                oldest &+= 1
            }
            return sent &- oldest
        }
    }
}

/// The open loop's receiving thread: judges every datagram, and ends once the sender
/// has ended and every request is resolved, or `--timeout` after the sender ended.
struct OpenLoopReceiver: Sendable {
    let setup: PingFlowSetup

    func run() -> SocketError? {
        var tracker = setup.tracker()
        var batch = ReceiveBatch(capacity: PingOptions.batch, slotSize: setup.options.payload + 1, recordsSources: true,
                                 controlSize: 0)
        var drainUntil: UInt64?
        while true {
            do throws(SocketError) { try setup.receive(&batch, tracker: &tracker) { _ in } } catch { return error }
            let now = MonotonicClock.now()
            if drainUntil == nil && setup.slot.load(at: PingCount.sendingDone.rawValue) != 0 {
                drainUntil = now &+ setup.timeout
            }
            if let drainUntil, setup.unresolved == 0 || now >= drainUntil { return nil }
        }
    }
}
