import PacketIO

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
    /// Datagrams whose header claimed the impossible (a sequence or end count
    /// far outside its flow, an end for a flow that sent nothing) or named a
    /// flow no key made: counted as datagrams, and nothing else.
    package var implausible: UInt64
    /// One-way latencies, when sender and receiver share the host.
    package var latency: LatencyHistogram
    /// End-of-flow datagrams received.
    package var endMarkers: UInt64

    /// Flows the receiver tracks per thread; datagrams of flows beyond them are ``untracked``.
    package var trackedFlowsPerThread: Int

    /// Merges what the receiving threads saw: every thread's flows (a flow
    /// spread across sockets appears once per thread), their latencies, and the
    /// datagrams they could not track.
    package init(flows parts: [FlowSummary], latency: LatencyHistogram, untracked: UInt64, implausible: UInt64 = 0,
                 endMarkers: UInt64, trackedFlowsPerThread: Int) {
        var byFlow: [UInt32: [FlowSummary]] = [:]
        for flow in parts { byFlow[flow.flow, default: []].append(flow) }
        flows = byFlow.keys.sorted().map { FlowSummary.merged(byFlow[$0]!) }
        lost = flows.reduce(0) { $0.addingSaturating($1.lost) }
        reordered = flows.reduce(0) { $0.addingSaturating($1.reordered) }
        duplicates = flows.reduce(0) { $0.addingSaturating($1.duplicates) }
        flowsWithoutEnd = flows.filter { $0.sent == nil }.count
        self.untracked = untracked
        self.implausible = implausible
        self.latency = latency
        self.endMarkers = endMarkers
        self.trackedFlowsPerThread = trackedFlowsPerThread
    }

    /// True when any datagram carried a sequence header.
    package var hasSequences: Bool { !flows.isEmpty || untracked > 0 || implausible > 0 }

    /// The members a receiver's summary line carries, in this order, when any
    /// datagram had a header (none otherwise):
    ///
    /// - `lost`, `reordered`, `duplicates`: data datagrams, per the sequence numbers.
    /// - `flows`: flows seen; `flows_without_end`: flows whose end never came (a lost tail of those is not counted).
    /// - `untracked`: datagrams of flows beyond the flow table.
    /// - `implausible`: datagrams whose header claimed the impossible or named a flow no `--flow-key` made.
    /// - `end_markers`: end-of-flow datagrams received (not data).
    /// - `latency_us`: `{"p50":X,"p99":X,"p999":X,"max":X}`, one-way latency in µs (3 decimals),
    ///   when the sender shares the host.
    package var json: JSONObject {
        guard hasSequences else { return [:] }
        var object: JSONObject = [
            "lost": .unsigned(lost), "reordered": .unsigned(reordered), "duplicates": .unsigned(duplicates),
            "flows": .int(flows.count), "flows_without_end": .int(flowsWithoutEnd),
            "untracked": .unsigned(untracked), "implausible": .unsigned(implausible), "end_markers": .unsigned(endMarkers),
        ]
        if let p50 = latency.percentile(0.5), let p99 = latency.percentile(0.99), let p999 = latency.percentile(0.999) {
            func us(_ value: UInt64) -> JSONValue { .fixed(Double(value) / 1000, places: 3) }
            object.append("latency_us", ["p50": us(p50), "p99": us(p99), "p999": us(p999), "max": us(latency.maximum)])
        }
        return object
    }
}
