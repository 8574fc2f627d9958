import PacketIO
import Reporting

/// What a receiving thread hands back when it ends: its flows and latencies.
package struct ReceiveResult: Sendable {
    /// Each flow the thread saw a sequence header of.
    package var flows: [FlowSummary] = []
    /// Data datagrams with a header whose flow found no room in the table.
    package var untracked: UInt64 = 0
    /// Datagrams whose header claimed the impossible or named a flow no key made.
    package var implausible: UInt64 = 0
    /// One-way latencies of datagrams sent from this host.
    package var latency = LatencyHistogram()
    /// End-of-flow datagrams received (not counted as data).
    package var endMarkers: UInt64 = 0
    /// What the flow table kept of the flows it evicted (their figures stay in the totals).
    package var evicted = FlowTotals()
    /// Flows too short to judge, and their data datagrams (in no flow).
    package var unjudgedFlows: UInt64 = 0
    package var unjudged: UInt64 = 0
}
