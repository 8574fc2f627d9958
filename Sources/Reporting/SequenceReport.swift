/// What the sequence headers tell about a whole run, all receiving threads together.
package struct SequenceReport: Equatable, Sendable {
    /// Every flow, merged across threads, by flow id.
    package var flows: [FlowSummary]
    /// Data datagrams of those flows never received.
    package var lost: UInt64
    /// Data datagrams that arrived after a later one.
    package var reordered: UInt64
    /// Data datagrams received more than once.
    package var duplicates: UInt64
    /// Flows whose end-of-flow datagram never came: a lost tail of those is not counted.
    package var flowsWithoutEnd: Int
    /// Data datagrams whose flow did not fit the flow table.
    package var untracked: UInt64
    /// One-way latencies, when sender and receiver share the host.
    package var latency: LatencyHistogram
    /// End-of-flow datagrams received.
    package var endMarkers: UInt64

    /// Flows the receiver tracks per thread; datagrams of flows beyond them are ``untracked``.
    package var trackedFlowsPerThread: Int

    /// Merges what the receiving threads saw: every thread's flows (a flow
    /// spread across sockets appears once per thread), their latencies, and the
    /// datagrams they could not track.
    package init(flows parts: [FlowSummary], latency: LatencyHistogram, untracked: UInt64, endMarkers: UInt64,
                 trackedFlowsPerThread: Int) {
        var byFlow: [UInt32: [FlowSummary]] = [:]
        for flow in parts { byFlow[flow.flow, default: []].append(flow) }
        flows = byFlow.keys.sorted().map { FlowSummary.merged(byFlow[$0]!) }
        lost = flows.reduce(0) { $0 + $1.lost }
        reordered = flows.reduce(0) { $0 + $1.reordered }
        duplicates = flows.reduce(0) { $0 + $1.duplicates }
        flowsWithoutEnd = flows.filter { $0.sent == nil }.count
        self.untracked = untracked
        self.latency = latency
        self.endMarkers = endMarkers
        self.trackedFlowsPerThread = trackedFlowsPerThread
    }

    /// True when any datagram carried a sequence header.
    package var hasSequences: Bool { !flows.isEmpty || untracked > 0 }
}
