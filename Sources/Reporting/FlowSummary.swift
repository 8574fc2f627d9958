import PacketIO

/// What one flow's receiver saw, in the end.
package struct FlowSummary: Equatable, Sendable {
    /// The flow id from the sender's header.
    package var flow: UInt32
    /// Distinct data datagrams received.
    package var unique: UInt64
    /// Data datagrams received again.
    package var duplicates: UInt64
    /// Data datagrams that arrived after a later one (filling a gap).
    package var reordered: UInt64
    /// The highest sequence number seen.
    package var highest: UInt64
    /// The sender's final count, from an end-of-flow datagram; nil if none arrived.
    package var sent: UInt64?
    /// The lowest sequence number seen: the datagrams below it are the flow's
    /// unseen start, which the receiver cannot tell lost from never sent.
    package var lowest: UInt64
    /// Where the flow's datagrams came from: the source of the first of them the
    /// receiver read with sources (it records them once the flow has its place);
    /// nil when none was read so.
    package var source: SocketAddress?

    /// Creates a summary.
    package init(flow: UInt32, unique: UInt64, duplicates: UInt64, reordered: UInt64, highest: UInt64, sent: UInt64?,
                 lowest: UInt64 = 0, source: SocketAddress? = nil) {
        self.flow = flow
        self.unique = unique
        self.duplicates = duplicates
        self.reordered = reordered
        self.highest = highest
        self.sent = sent
        self.lowest = lowest
        self.source = source
    }

    /// How many the sender sent from the first datagram seen on, as far as the
    /// receiver can tell: its final count when that arrived, else one past the
    /// highest sequence seen (a lost tail is then invisible, and the summary says
    /// how many flows ended so), less the unseen start.
    package var expected: UInt64 { (sent ?? highest.addingSaturating(1)).subtractingSaturating(lowest) }

    /// Data datagrams never received between the first seen and the end: the
    /// unseen start is no evidence of loss and is not counted.
    package var lost: UInt64 { expected > unique ? expected - unique : 0 }

    /// Datagrams before the lowest sequence seen: lost, or never sent to this
    /// receiver (a stranger's made-up flow starts anywhere); reported apart.
    package var unseenStart: UInt64 { lowest }

    /// One flow's totals from several receiving threads (a flow spread across
    /// sockets): counts add up, the highest and the final count are the largest
    /// seen, the lowest the smallest.
    package static func merged(_ parts: [FlowSummary]) -> FlowSummary {
        var result = parts[0]
        for part in parts.dropFirst() {
            result.unique = result.unique.addingSaturating(part.unique)
            result.duplicates = result.duplicates.addingSaturating(part.duplicates)
            result.reordered = result.reordered.addingSaturating(part.reordered)
            result.highest = max(result.highest, part.highest)
            result.lowest = min(result.lowest, part.lowest)
            if let sent = part.sent { result.sent = max(result.sent ?? 0, sent) }
            if result.source == nil { result.source = part.source }
        }
        return result
    }
}
