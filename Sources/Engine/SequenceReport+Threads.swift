import PacketIO
import Reporting

extension SequenceReport {
    /// Merges the receiving threads' results.
    package init(_ results: [ReceiveResult]) {
        var latency = LatencyHistogram()
        var untracked: UInt64 = 0
        var implausible: UInt64 = 0
        var endMarkers: UInt64 = 0
        var evicted = FlowTotals()
        var unjudgedFlows: UInt64 = 0
        var unjudged: UInt64 = 0
        for result in results {
            evicted.add(result.evicted)
            unjudgedFlows = unjudgedFlows.addingSaturating(result.unjudgedFlows)
            unjudged = unjudged.addingSaturating(result.unjudged)
            latency.merge(result.latency)
            untracked = untracked.addingSaturating(result.untracked)
            implausible = implausible.addingSaturating(result.implausible)
            endMarkers = endMarkers.addingSaturating(result.endMarkers)
        }
        self.init(flows: results.flatMap(\.flows), latency: latency, untracked: untracked, implausible: implausible, endMarkers: endMarkers,
                  trackedFlowsPerThread: FlowTable.trackedFlows, evicted: evicted, unjudgedFlows: unjudgedFlows, unjudged: unjudged)
    }
}
