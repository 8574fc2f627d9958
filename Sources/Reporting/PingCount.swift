import PacketIO


/// The words a ping thread publishes, by index in its ``WordSlot``; the two RTT
/// histograms follow (``PingCount/intendedBuckets``, ``PingCount/actualBuckets``).
package enum PingCount: Int, CaseIterable, Sendable {
    /// Requests the thread stamped and handed to the kernel (the replies' sequence numbers lie below it).
    case sent
    /// Requests the kernel refused to send (the send call failed on them): lost on the way out.
    case sendErrors
    /// Send calls (`sendmmsg`, or `sendto` for one) that took at least one request.
    case sendCalls
    /// Replies that completed a request within `--timeout`.
    case replies
    /// Replies that completed a request after `--timeout`: the request counts as lost, and late.
    case late
    /// Replies to a request already completed.
    case duplicates
    /// Datagrams from an address other than the target.
    case wrongSource
    /// Datagrams from the target whose header this thread did not write (length, magic, token,
    /// thread, sequence or times wrong).
    case forged
    /// Replies to requests so old they left the window of requests remembered.
    case stale
    /// Receive calls (`recvmmsg`, or `recvfrom` for one) that returned at least one datagram.
    case receiveCalls
    /// RTTs from the intended send time, summed (ns, saturating), and the largest.
    case intendedSum, intendedMax
    /// RTTs from the actual send time, summed (ns, saturating), and the largest.
    case actualSum, actualMax
    /// 1 once the thread's sending part has ended (no more requests will be stamped).
    case sendingDone

    /// The RTT histograms split each power of two into 2^7 buckets: a round trip is placed
    /// within 0.8 % (a ping-pong's p50 differs from sockperf's by less than 12.5 %, the
    /// default layout's width). 8192 words a histogram.
    package static let histogramBits = 7
    /// Buckets per histogram.
    package static let bucketCount = LatencyHistogram.bucketCount(bits: histogramBits)
    /// Where the histogram of RTTs from the intended send time starts (``LatencyHistogram`` buckets).
    package static let intendedBuckets = allCases.count
    /// Where the histogram of RTTs from the actual send time starts.
    package static let actualBuckets = intendedBuckets + bucketCount
    /// Words per thread.
    package static let words = actualBuckets + bucketCount
}
