import PacketIO
import Reporting

/// A ping flow's sending half: stamps requests with their header and sends
/// them to the target in one `sendmmsg`, counting what the kernel took and
/// refused. One ``SendBatch`` with the target as every message's destination,
/// allocated once; nothing allocated per call. With `sockperf`, each request starts
/// with sockperf's header (its sequence the request's) and ping's header follows it.
struct PingSendPart: ~Copyable {
    let descriptor: Int32
    let token: UInt32
    let flow: UInt16
    /// The most requests one call stamps and sends.
    let capacity: Int
    /// The open loop's schedule; nil in a closed loop, where a request is due when it is sent.
    let schedule: Pacer?
    let slot: WordSlot
    /// Whether requests start with sockperf's header (``PingOptions/sockperf``).
    let sockperf: Bool
    private let batch: SendBatch
    private var state = SendState()
    /// Requests stamped so far: the next request's sequence.
    private(set) var sent: UInt64 = 0
    private var errors: UInt64 = 0
    private var calls: UInt64 = 0

    init(descriptor: Int32, target: SocketAddress, payload: Int, token: UInt32, flow: UInt16, schedule: Pacer?, slot: WordSlot,
         capacity: Int = PingOptions.batch, sockperf: Bool = false) {
        self.descriptor = descriptor
        self.sockperf = sockperf
        precondition(payload >= PingOptions.smallestPayload(sockperf: sockperf), "a request holds its headers")
        self.token = token
        self.flow = flow
        self.capacity = capacity
        self.schedule = schedule
        self.slot = slot
        batch = SendBatch(capacity: capacity, payloadSize: payload, perMessageDestinations: true)
        for index in 0..<capacity {
            batch.setDestination(target, at: index)
            batch.setMessageLength(payload, at: index)
        }
    }

    /// Stamps and sends the next `count` requests (at most ``capacity``), each
    /// meant to go at its scheduled time (or now, in a closed loop) and going now.
    /// The new total is published before the call, so a reply can never outrun it.
    mutating func send(_ count: Int) {
        let now = MonotonicClock.now()
        var index = 0
        while index < count {
            let sequence = sent &+ UInt64(index)
            let header = PingHeader(flow: flow, token: token, sequence: sequence,
                                    intended: schedule?.dueTime(of: sequence) ?? now, actual: now)
            if sockperf {
                batch.withUnsafeMutablePayload(at: index) { Self.writeSockperf(header, to: $0) }
            } else {
                _ = batch.withUnsafeMutablePayload(at: index) { header.write(to: $0) }
            }
            index &+= 1
        }
        sent &+= UInt64(count)
        slot.store(sent, at: PingCount.sent.rawValue)
        var next = 0
        while next < count {
            let outcome = batch.sendAll(from: next, to: count, descriptor: descriptor, state: &state)
            calls &+= UInt64(outcome.calls)
            next &+= outcome.messages
            guard next < count else { break }
            // The kernel refused this request (or, after a send timeout, all the rest): lost on the way out.
            let refused = outcome.wouldBlock ? count &- next : 1
            errors &+= UInt64(refused)
            next &+= refused
        }
        slot.store(errors, at: PingCount.sendErrors.rawValue)
        slot.store(calls, at: PingCount.sendCalls.rawValue)
    }

    /// Writes sockperf's header for `header`'s request, then `header` after it. The
    /// payload buffer is exactly as long as the datagram (the batch's payload size).
    @inline(__always)
    private static func writeSockperf(_ header: PingHeader, to payload: UnsafeMutableRawBufferPointer) {
        SockperfHeader.writeRequest(sequence: header.sequence, length: payload.count, to: payload)
        header.write(to: UnsafeMutableRawBufferPointer(rebasing: payload[SockperfHeader.size...]))
    }

    /// Says that no more requests will be stamped.
    func finish() { slot.store(1, at: PingCount.sendingDone.rawValue) }
}
