import PacketIO
import Reporting

/// How a ping thread with several flows reads their replies without spinning: each
/// flow's socket is non-blocking and read in turn; when none had anything, one `poll`
/// over all of them waits for the first reply, at most ``PingRun/idleWakeMilliseconds``,
/// so the thread still looks at its stop request and deadlines. One batch and one poll
/// set, allocated in `init`; nothing allocated per call. (A thread with one flow keeps
/// its blocking socket and the one-flow workers in PingWorkers.swift.)
struct FlowReceiver: ~Copyable {
    private var batch: ReceiveBatch
    private var poll: PollSet

    init(_ setups: [PingFlowSetup]) {
        batch = ReceiveBatch(capacity: PingOptions.batch, slotSize: setups[0].options.payload + 1, recordsSources: true,
                             controlSize: 0)
        poll = PollSet(capacity: setups.count)
        for setup in setups { poll.watch(descriptor: setup.descriptor) }
    }

    /// Reads each flow once (at most `limit(flow)` datagrams: the index in `setups`), judging every
    /// datagram with that flow's tracker; `completed(flow, sequence)` for each request completed. When
    /// no flow had anything, waits in `poll`. Returns the datagrams read.
    @discardableResult
    mutating func round(_ setups: [PingFlowSetup], trackers: inout [PingTracker], limit: (Int) -> Int,
                        completed: (Int, UInt64) -> Void) throws(SocketError) -> Int {
        var read = 0
        var index = 0
        while index < setups.count {
            read &+= try setups[index].receive(&batch, limit: limit(index), tracker: &trackers[index]) { completed(index, $0) }
            index &+= 1
        }
        if read == 0 { _ = try poll.wait(milliseconds: PingRun.idleWakeMilliseconds) }
        return read
    }
}

/// The closed loop on a thread with several flows: each flow keeps `--inflight` requests
/// of its own in flight, and a reply (or timeout) on a flow lets that flow's next one go.
struct ClosedLoopFlows: Sendable {
    let setups: [PingFlowSetup]

    func run() -> SocketError? {
        let flows = setups.count
        let window = setups[0].options.inflight ?? 1
        let timeout = setups[0].timeout
        let parts = UnsafeMutablePointer<PingSendPart>.allocate(capacity: flows)
        // The thread's send batches hold about one batch of requests together, however many flows it has.
        let capacity = max(1, min(window, PingOptions.batch / flows))
        for index in 0..<flows { (parts + index).initialize(to: setups[index].sendPart(capacity: capacity)) }
        // Flow i's requests in flight (sequence, actual send time) are flying[i * window ..< i * window + inFlight[i]].
        let flying = UnsafeMutablePointer<InFlight.Place>.allocate(capacity: flows * window)
        defer {
            for index in 0..<flows { parts[index].finish() }
            parts.deinitialize(count: flows)
            parts.deallocate()
            flying.deallocate()
        }
        var inFlight = [Int](repeating: 0, count: flows)
        var trackers = setups.map { $0.tracker() }
        var receiver = FlowReceiver(setups)
        var drainUntil: UInt64?
        while true {
            if drainUntil == nil {
                var sending = false
                for flow in 0..<flows where !setups[flow].stop.isSet {
                    let quotaLeft = setups[flow].quotaLeft(sent: parts[flow].sent)
                    guard quotaLeft > 0 else { continue }
                    sending = true
                    let count = Int(min(UInt64(min(window - inFlight[flow], parts[flow].capacity)), quotaLeft))
                    guard count > 0 else { continue }
                    let first = parts[flow].sent
                    parts[flow].send(count)
                    let now = MonotonicClock.now()
                    let base = flow * window + inFlight[flow]
                    for index in 0..<count { flying[base + index] = (first &+ UInt64(index), now) }
                    inFlight[flow] += count
                }
                if !sending {
                    for flow in 0..<flows { parts[flow].finish() }
                    drainUntil = MonotonicClock.now() &+ timeout
                }
            }
            if drainUntil != nil && EachFlow.none(flows, { inFlight[$0] > 0 }) { return nil }
            do throws(SocketError) {
                try receiver.round(setups, trackers: &trackers, limit: { max(inFlight[$0], 1) }) { flow, sequence in
                    InFlight.free(sequence, flying + flow * window, &inFlight[flow])
                }
            } catch { return error }
            let now = MonotonicClock.now()
            for flow in 0..<flows { InFlight.expire(flying + flow * window, &inFlight[flow], now: now, timeout: timeout) }
            if let drainUntil, now >= drainUntil { return nil }
        }
    }
}

/// Questions over a thread's flows, asked once per round: plain loops, where
/// `contains(where:)` and `allSatisfy` allocate per call in a debug build.
enum EachFlow {
    /// Whether no flow of `0..<flows` satisfies `test`.
    static func none(_ flows: Int, _ test: (Int) -> Bool) -> Bool {
        var flow = 0
        while flow < flows {
            if test(flow) { return false }
            flow += 1
        }
        return true
    }
}

/// The open loop's sending thread for several flows: each flow has its own schedule (its
/// share of the rate) and its own cap on requests in flight; the thread sends each flow's
/// due requests in turn, and sleeps until the first flow's next burst when none was due.
struct OpenLoopFlowsSender: Sendable {
    let setups: [PingFlowSetup]

    func run() {
        let flows = setups.count
        let capacity = max(1, PingOptions.batch / flows)
        let parts = UnsafeMutablePointer<PingSendPart>.allocate(capacity: flows)
        for index in 0..<flows { (parts + index).initialize(to: setups[index].sendPart(capacity: capacity)) }
        defer {
            for index in 0..<flows { parts[index].finish() }
            parts.deinitialize(count: flows)
            parts.deallocate()
        }
        let cap = setups[0].options.inflight.map { UInt64($0) }
        var cursors = [OpenLoopSender.Expiry](repeating: .init(), count: flows)
        let stop = setups[0].stop
        while !stop.isSet {
            let now = MonotonicClock.now()
            var wake = now &+ 5_000_000  // short sleeps, so a stop request is seen within a few milliseconds
            var sending = false
            var capped = false
            for flow in 0..<flows {
                guard let schedule = setups[flow].schedule else { return }
                let wanted = Int(min(setups[flow].quotaLeft(sent: parts[flow].sent), UInt64(capacity)))
                guard wanted > 0 else { continue }
                sending = true
                var count = schedule.release(sent: parts[flow].sent, wanted: wanted, now: now)
                if let cap {
                    let flying = cursors[flow].inFlight(setups[flow], sent: parts[flow].sent, now: now)
                    count = Int(min(UInt64(count), cap > flying ? cap - flying : 0))
                    if count == 0 && flying >= cap { capped = true; continue }
                }
                if count == 0 {
                    wake = min(wake, schedule.wakeTime(sent: parts[flow].sent, wanted: wanted))
                    continue
                }
                parts[flow].send(count)
                wake = now
            }
            if !sending { return }
            if capped { wake = min(wake, now &+ 20_000) }
            if wake > now { MonotonicClock.sleep(until: wake) }
        }
    }
}

/// The open loop's receiving thread for several flows: judges every reply on each flow,
/// and ends once every flow's sender has ended and all its requests are resolved, or
/// `--timeout` after the last sender ended.
struct OpenLoopFlowsReceiver: Sendable {
    let setups: [PingFlowSetup]

    func run() -> SocketError? {
        var trackers = setups.map { $0.tracker() }
        var receiver = FlowReceiver(setups)
        var drainUntil: UInt64?
        while true {
            do throws(SocketError) {
                try receiver.round(setups, trackers: &trackers, limit: { _ in .max }) { _, _ in }
            } catch { return error }
            let now = MonotonicClock.now()
            if drainUntil == nil && EachFlow.none(setups.count, { setups[$0].slot.load(at: PingCount.sendingDone.rawValue) == 0 }) {
                drainUntil = now &+ setups[0].timeout
            }
            if let drainUntil, EachFlow.none(setups.count, { setups[$0].unresolved > 0 }) || now >= drainUntil { return nil }
        }
    }
}
