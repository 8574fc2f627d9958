/// What the sequence headers tell about a whole run, all receiving threads together.
public struct SequenceReport: Equatable, Sendable {
    /// Every flow, merged across threads, by flow id.
    public var flows: [FlowSummary]
    /// Data datagrams of those flows never received.
    public var lost: UInt64
    /// Data datagrams that arrived after a later one.
    public var reordered: UInt64
    /// Data datagrams received more than once.
    public var duplicates: UInt64
    /// Flows whose end-of-flow datagram never came: a lost tail of those is not counted.
    public var flowsWithoutEnd: Int
    /// Data datagrams whose flow did not fit the flow table.
    public var untracked: UInt64
    /// One-way latencies, when sender and receiver share the host.
    public var latency: LatencyHistogram
    /// End-of-flow datagrams received.
    public var endMarkers: UInt64

    /// Merges the threads' results.
    public init(_ results: [ReceiveResult]) {
        var byFlow: [UInt32: [FlowSummary]] = [:]
        var latency = LatencyHistogram()
        var untracked: UInt64 = 0
        var endMarkers: UInt64 = 0
        for result in results {
            for flow in result.flows { byFlow[flow.flow, default: []].append(flow) }
            latency.merge(result.latency)
            untracked += result.untracked
            endMarkers += result.endMarkers
        }
        flows = byFlow.keys.sorted().map { FlowSummary.merged(byFlow[$0]!) }
        lost = flows.reduce(0) { $0 + $1.lost }
        reordered = flows.reduce(0) { $0 + $1.reordered }
        duplicates = flows.reduce(0) { $0 + $1.duplicates }
        flowsWithoutEnd = flows.filter { $0.sent == nil }.count
        self.untracked = untracked
        self.latency = latency
        self.endMarkers = endMarkers
    }

    /// True when any datagram carried a sequence header.
    public var hasSequences: Bool { !flows.isEmpty || untracked > 0 }
}
