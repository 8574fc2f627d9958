import PacketIO
import Reporting

extension SequenceReport {
    /// Merges the receiving threads' results.
    init(_ results: [ReceiveResult]) {
        var latency = LatencyHistogram()
        var untracked: UInt64 = 0
        var endMarkers: UInt64 = 0
        for result in results {
            latency.merge(result.latency)
            untracked += result.untracked
            endMarkers += result.endMarkers
        }
        self.init(flows: results.flatMap(\.flows), latency: latency, untracked: untracked, endMarkers: endMarkers,
                  trackedFlowsPerThread: FlowTable.trackedFlows)
    }
}
