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

    /// Creates a summary.
    package init(flow: UInt32, unique: UInt64, duplicates: UInt64, reordered: UInt64, highest: UInt64, sent: UInt64?) {
        self.flow = flow
        self.unique = unique
        self.duplicates = duplicates
        self.reordered = reordered
        self.highest = highest
        self.sent = sent
    }

    /// How many the sender sent, as far as the receiver can tell: its final
    /// count when that arrived, else one past the highest sequence seen (a lost
    /// tail is then invisible, and the summary says how many flows ended so).
    package var expected: UInt64 { sent ?? highest.addingSaturating(1) }

    /// Data datagrams never received.
    package var lost: UInt64 { expected > unique ? expected - unique : 0 }

    /// One flow's totals from several receiving threads (a flow spread across
    /// sockets): counts add up, the highest and the final count are the largest seen.
    package static func merged(_ parts: [FlowSummary]) -> FlowSummary {
        var result = parts[0]
        for part in parts.dropFirst() {
            result.unique = result.unique.addingSaturating(part.unique)
            result.duplicates = result.duplicates.addingSaturating(part.duplicates)
            result.reordered = result.reordered.addingSaturating(part.reordered)
            result.highest = max(result.highest, part.highest)
            if let sent = part.sent { result.sent = max(result.sent ?? 0, sent) }
        }
        return result
    }
}
