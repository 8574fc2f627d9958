import PacketIO

/// How a receiving loop ends after a stop request: it goes on taking what is already
/// queued (a socket's queue, an AF_XDP ring) for at most ``nanoseconds``, so that a
/// datagram that arrived before the stop is counted, not left for the account to call lost.
struct StopDrain {
    /// The longest a loop reads after a stop request: 100 ms, long enough for any socket
    /// buffer's worth at these loops' speed, short enough that a sender that goes on faster
    /// than the loop reads cannot hold the stop up.
    static let nanoseconds: UInt64 = 100_000_000

    /// When the drain ends; nil until a stop was seen.
    private var until: UInt64?

    /// Whether a stop was seen: the loop takes only what is queued now, without waiting.
    var isDraining: Bool { until != nil }

    /// Whether the loop may read again: always before a stop; after one, until the drain's time is up.
    @inline(__always)
    mutating func mayRead(stopped: Bool) -> Bool {
        guard stopped else { return true }
        let now = MonotonicClock.now()
        if let until { return now < until }
        until = now &+ Self.nanoseconds
        return true
    }
}
