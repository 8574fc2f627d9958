import PacketIO
import Reporting

/// What a ping thread makes of each datagram that reaches its socket: a reply that
/// completes one of its requests (in time or late), or something counted apart
/// that completes nothing (a duplicate, a stranger's datagram, a forged header, one
/// too old to judge). Pure but for its memory: the answered bits and the counts
/// live in ``WordSlot``s, so the monitor (and, with a cap on requests in flight,
/// the sending thread) can read them.
///
/// Every reply is a claim: it counts only if it came from the target, is as long
/// as the requests, and carries this run's token, this flow's number, a sequence
/// already sent, and the send times that sequence was given (the schedule's for its
/// intended time in an open loop; in a closed loop the two times are one).
package struct PingTracker: Sendable {
    package let token: UInt32
    /// The flow whose replies this tracker judges (one tracker per flow and socket).
    package let flow: UInt16
    package let payload: Int
    package let target: SocketAddress
    /// `--timeout` in nanoseconds: a reply later than this from its actual send time is late.
    package let timeout: UInt64
    /// The open loop's schedule (intended times); nil in a closed loop.
    package let schedule: Pacer?
    /// One bit per request of a window of ``windowBits`` sequences from ``base``, set once answered.
    let answered: WordSlot
    package let windowBits: UInt64
    /// The lowest sequence the window remembers (a multiple of 64).
    package private(set) var base: UInt64 = 0
    /// The RTT histograms, sums and maxima, by ``PingCount`` (the thread's: its flows share them).
    let slot: WordSlot
    /// The flow's counts of verdicts, by ``PingCount`` (the same slot as ``slot`` when the flow has the thread to itself, or in a test).
    let counts: WordSlot

    /// What one datagram was.
    package enum Verdict: Equatable, Sendable {
        case reply(UInt64), late(UInt64), duplicate, wrongSource, forged, stale
    }

    /// A tracker whose window holds `answered.words` × 64 sequences.
    package init(token: UInt32, flow: UInt16, payload: Int, target: SocketAddress, timeout: UInt64, schedule: Pacer?,
                answered: WordSlot, slot: WordSlot, counts: WordSlot? = nil) {
        self.token = token
        self.flow = flow
        self.payload = payload
        self.target = target
        self.timeout = timeout
        self.schedule = schedule
        self.answered = answered
        windowBits = UInt64(answered.words) &* 64
        self.slot = slot
        self.counts = counts ?? slot
    }

    /// The words a window for `inflight` requests in flight needs: room for four times as many,
    /// at least 2^16 sequences, at most 2^26.
    package static func windowWords(inflight: UInt64) -> Int {
        var bits: UInt64 = 1 << 16
        while bits < inflight.multipliedReportingOverflow(by: 4).partialValue && bits < 1 << 26 { bits <<= 1 }
        return Int(bits / 64)
    }

    /// Judges one datagram that arrived at `now` from `source`, when `sent`
    /// requests were stamped, and counts it. Allocates nothing.
    @inline(__always)
    package mutating func judge(_ bytes: UnsafeRawBufferPointer, source: SocketAddress?, now: UInt64, sent: UInt64) -> Verdict {
        guard source == target else { counts.bump(at: PingCount.wrongSource.rawValue); return .wrongSource }
        guard bytes.count == payload, let header = PingHeader(reading: bytes), isOurs(header, now: now, sent: sent) else {
            counts.bump(at: PingCount.forged.rawValue)
            return .forged
        }
        let sequence = header.sequence
        guard sequence >= base else { counts.bump(at: PingCount.stale.rawValue); return .stale }
        if sequence - base >= windowBits { slide(past: sequence) }
        let word = Int((sequence / 64) % (windowBits / 64))
        let bit: UInt64 = 1 << (sequence % 64)
        let bits = answered.load(at: word)
        guard bits & bit == 0 else { counts.bump(at: PingCount.duplicates.rawValue); return .duplicate }
        answered.store(bits | bit, at: word)
        let actual = now &- header.actual
        guard actual <= timeout else { counts.bump(at: PingCount.late.rawValue); return .late(sequence) }
        record(intended: now &- header.intended, actual: actual)
        counts.bump(at: PingCount.replies.rawValue)
        return .reply(sequence)
    }

    /// Judges one datagram of `mpps ping --sockperf`: sockperf's header, then what
    /// ``judge(_:source:now:sent:)`` judges (``payload`` is the part after sockperf's header).
    /// From the target, it completes nothing unless sockperf's header is its request's as
    /// sockperf's server returns it: the client flag cleared, the sequence (ping's) and the
    /// length (the datagram's) as sent. Allocates nothing.
    @inline(__always)
    package mutating func judge(sockperf bytes: UnsafeRawBufferPointer, source: SocketAddress?, now: UInt64,
                                sent: UInt64) -> Verdict {
        let rest = bytes.count >= SockperfHeader.size
            ? UnsafeRawBufferPointer(rebasing: bytes[SockperfHeader.size...]) : UnsafeRawBufferPointer(start: nil, count: 0)
        if source == target {
            guard let header = PingHeader(reading: rest), SockperfHeader.isServersAnswer(bytes, to: header.sequence) else {
                counts.bump(at: PingCount.forged.rawValue)
                return .forged
            }
        }
        return judge(rest, source: source, now: now, sent: sent)
    }

    /// Whether `header` is one this flow sent: its token and number, a sequence sent,
    /// and the times that sequence was given.
    @inline(__always)
    func isOurs(_ header: PingHeader, now: UInt64, sent: UInt64) -> Bool {
        guard header.token == token, header.flow == flow, header.sequence < sent,
              header.intended <= header.actual, header.actual <= now else { return false }
        if let schedule { return header.intended == schedule.dueTime(of: header.sequence) }
        return header.intended == header.actual
    }

    /// Whether `sequence` was answered; false for one below the window (the sender reads
    /// this for requests still in its own window only).
    package func isAnswered(_ sequence: UInt64) -> Bool {
        let word = Int((sequence / 64) % (windowBits / 64))
        return answered.load(at: word) & (1 << (sequence % 64)) != 0
    }

    /// Moves the window so that it ends just past `sequence`, forgetting (clearing) what it passes.
    private mutating func slide(past sequence: UInt64) {
        let newBase = (sequence - windowBits + 1 + 63) / 64 * 64
        let words = windowBits / 64
        var clearing = base / 64
        let end = min(newBase / 64, clearing &+ words)
        while clearing < end {
            answered.store(0, at: Int(clearing % words))
            clearing &+= 1
        }
        base = newBase
    }

    @inline(__always)
    private func record(intended: UInt64, actual: UInt64) {
        slot.bump(at: PingCount.intendedBuckets + LatencyHistogram.bucket(of: intended, bits: PingCount.histogramBits))
        slot.bump(at: PingCount.actualBuckets + LatencyHistogram.bucket(of: actual, bits: PingCount.histogramBits))
        slot.store(slot.load(at: PingCount.intendedSum.rawValue).addingSaturating(intended), at: PingCount.intendedSum.rawValue)
        slot.store(slot.load(at: PingCount.actualSum.rawValue).addingSaturating(actual), at: PingCount.actualSum.rawValue)
        if intended > slot.load(at: PingCount.intendedMax.rawValue) { slot.store(intended, at: PingCount.intendedMax.rawValue) }
        if actual > slot.load(at: PingCount.actualMax.rawValue) { slot.store(actual, at: PingCount.actualMax.rawValue) }
    }
}
