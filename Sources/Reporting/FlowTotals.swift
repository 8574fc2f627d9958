import PacketIO

/// Sums over flows: what a flow table keeps of the flows it evicted, and what
/// a report adds up over the flows it lists.
package struct FlowTotals: Equatable, Sendable {
    /// Flows added.
    package var flows: UInt64 = 0
    /// Their distinct data datagrams.
    package var unique: UInt64 = 0
    /// Their lost data datagrams (``FlowSummary/lost``).
    package var lost: UInt64 = 0
    /// Their late data datagrams.
    package var reordered: UInt64 = 0
    /// Their repeated data datagrams.
    package var duplicates: UInt64 = 0
    /// Flows first seen past sequence 0.
    package var unseenStartFlows: UInt64 = 0
    /// The datagrams before the first seen, over those flows (``FlowSummary/unseenStart``).
    package var unseenStart: UInt64 = 0

    /// All zero.
    package init() {}

    /// Adds one flow's figures (saturating).
    package mutating func add(_ flow: FlowSummary) {
        flows = flows.addingSaturating(1)
        unique = unique.addingSaturating(flow.unique)
        lost = lost.addingSaturating(flow.lost)
        reordered = reordered.addingSaturating(flow.reordered)
        duplicates = duplicates.addingSaturating(flow.duplicates)
        if flow.unseenStart > 0 {
            unseenStartFlows = unseenStartFlows.addingSaturating(1)
            unseenStart = unseenStart.addingSaturating(flow.unseenStart)
        }
    }

    /// Adds another sum (saturating).
    package mutating func add(_ other: FlowTotals) {
        flows = flows.addingSaturating(other.flows)
        unique = unique.addingSaturating(other.unique)
        lost = lost.addingSaturating(other.lost)
        reordered = reordered.addingSaturating(other.reordered)
        duplicates = duplicates.addingSaturating(other.duplicates)
        unseenStartFlows = unseenStartFlows.addingSaturating(other.unseenStartFlows)
        unseenStart = unseenStart.addingSaturating(other.unseenStart)
    }
}
