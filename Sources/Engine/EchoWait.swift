import PacketIO

/// How an echo thread waits for its next requests: in batches while they come
/// faster than it answers, alone while each call finds only one.
///
/// A batch call (`recvmmsg` with `MSG_WAITFORONE`) that found one request has
/// also tried, and failed, to take a second: on a ping-pong that failed try sits
/// between the request and its reply, and `recvmmsg` itself costs more than
/// `recvfrom` (together about 1 µs of a 26 µs round trip here, BENCHMARKS s). So
/// after a call that returned one request the thread waits for the next alone
/// (`limit: 1`, which ``ReceiveBatch`` makes a `recvfrom` when it has no control
/// space), and goes back to batches as soon as a call alone returns without
/// having waited: the request was already queued, so more may be.
struct EchoWait {
    /// Whether the next call waits for one request alone.
    private(set) var alone = false
    private var started: UInt64 = 0

    /// A call alone that returns within this many nanoseconds found its request
    /// queued: far less than a thread takes to sleep and be woken for one.
    static let queuedWithin: UInt64 = 3_000

    /// The limit of the next call, for a thread that may take `want` requests;
    /// `now` is read only when the call waits alone.
    @inline(__always)
    mutating func limit(_ want: Int, now: @autoclosure () -> UInt64) -> Int {
        guard alone else { return want }
        started = now()
        return 1
    }

    /// Learns from a call that returned `received` requests; `now` is read only after a call alone.
    @inline(__always)
    mutating func update(received: Int, now: @autoclosure () -> UInt64) {
        if alone {
            if received == 1 && now() &- started < Self.queuedWithin { alone = false }
        } else if received == 1 {
            alone = true
        }
    }
}
