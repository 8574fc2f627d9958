import PacketIO

/// What the sequence headers tell about a whole run, all receiving threads together.
package struct SequenceReport: Equatable, Sendable {
    /// Every flow, merged across threads, by flow id.
    package var flows: [FlowSummary]
    /// Data datagrams of those flows, and of the flows evicted, never received
    /// after the first one seen (``FlowSummary/lost``).
    package var lost: UInt64
    /// Data datagrams that arrived after a later one.
    package var reordered: UInt64
    /// Data datagrams received more than once.
    package var duplicates: UInt64
    /// Flows whose end-of-flow datagram never came: a lost tail of those is not counted.
    package var flowsWithoutEnd: Int
    /// Flows first seen past sequence 0, and the datagrams before the first seen
    /// (lost, or never sent here): no evidence of loss, so not in ``lost``.
    package var unseenStartFlows: UInt64
    /// See ``unseenStartFlows``.
    package var unseenStart: UInt64
    /// Flows too short to judge: their datagrams never showed the evidence a flow
    /// needs for a place in the flow table (see FlowCandidates), counted in no flow.
    package var unjudgedFlows: UInt64
    /// Data datagrams of those flows.
    package var unjudged: UInt64
    /// Flows that had a place and lost it to newer ones after showing no more
    /// evidence; their datagrams stay in the totals above.
    package var evictedFlows: UInt64
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

    /// Flows listed in the JSON summary's `flow_accounts`, the busiest first.
    package static let listedFlows = 16

    /// Merges what the receiving threads saw: every thread's flows (a flow
    /// spread across sockets appears once per thread), what they kept of the
    /// flows they evicted (`evicted`), their latencies, and the datagrams they
    /// could not track or judge.
    package init(flows parts: [FlowSummary], latency: LatencyHistogram, untracked: UInt64, implausible: UInt64 = 0,
                 endMarkers: UInt64, trackedFlowsPerThread: Int, evicted: FlowTotals = FlowTotals(),
                 unjudgedFlows: UInt64 = 0, unjudged: UInt64 = 0) {
        var byFlow: [UInt32: [FlowSummary]] = [:]
        for flow in parts { byFlow[flow.flow, default: []].append(flow) }
        flows = byFlow.keys.sorted().map { FlowSummary.merged(byFlow[$0]!) }
        var totals = evicted
        for flow in flows { totals.add(flow) }
        lost = totals.lost
        reordered = totals.reordered
        duplicates = totals.duplicates
        unseenStartFlows = totals.unseenStartFlows
        unseenStart = totals.unseenStart
        flowsWithoutEnd = flows.filter { $0.sent == nil }.count
        evictedFlows = evicted.flows
        self.unjudgedFlows = unjudgedFlows
        self.unjudged = unjudged
        self.untracked = untracked
        self.implausible = implausible
        self.latency = latency
        self.endMarkers = endMarkers
        self.trackedFlowsPerThread = trackedFlowsPerThread
    }

    /// True when any datagram carried a sequence header.
    package var hasSequences: Bool { !flows.isEmpty || untracked > 0 || implausible > 0 || unjudged > 0 || evictedFlows > 0 }

    /// The flows that carried the most data datagrams (distinct and repeated),
    /// at most `limit`, the busiest first; ties by flow id.
    package func busiestFlows(_ limit: Int) -> [FlowSummary] {
        let sorted = flows.sorted {
            let (a, b) = ($0.unique.addingSaturating($0.duplicates), $1.unique.addingSaturating($1.duplicates))
            return a != b ? a > b : $0.flow < $1.flow
        }
        return Array(sorted.prefix(limit))
    }

    /// The members a receiver's summary line carries, in this order, when any
    /// datagram had a header (none otherwise):
    ///
    /// - `lost`, `reordered`, `duplicates`: data datagrams, per the sequence numbers; `lost` counts
    ///   only what is missing after a flow's first datagram seen.
    /// - `flows`: flows seen; `flows_without_end`: flows whose end never came (a lost tail of those is not counted).
    /// - `unseen_start_flows`, `unseen_start`: flows first seen past sequence 0, and the datagrams before
    ///   the first seen (not in `lost`: no evidence they were sent here).
    /// - `unjudged_flows`, `unjudged`: flows too short to judge (no flow earns a place in the account
    ///   before 4 datagrams close together or an end that closes them), and their data datagrams.
    /// - `evicted_flows`: flows that lost their place to newer ones after showing no more evidence
    ///   (their datagrams stay in the totals).
    /// - `untracked`: datagrams of flows beyond the flow table.
    /// - `implausible`: datagrams whose header claimed the impossible or named a flow no `--flow-key` made.
    /// - `end_markers`: end-of-flow datagrams received (not data).
    /// - `latency_us`: `{"p50":X,"p99":X,"p999":X,"max":X}`, one-way latency in µs (3 decimals),
    ///   when the sender shares the host.
    /// - `flow_accounts`: the (up to 16) flows that carried the most datagrams, the busiest first, each
    ///   `{"flow":N,"source":"ADDRESS:PORT" or null,"received":N,"lost":N,"reordered":N,"duplicates":N,"sent":N or null}`
    ///   (`received`: distinct data datagrams; `sent`: from the flow's end-of-flow datagram).
    package var json: JSONObject {
        guard hasSequences else { return [:] }
        var object: JSONObject = [
            "lost": .unsigned(lost), "reordered": .unsigned(reordered), "duplicates": .unsigned(duplicates),
            "flows": .int(flows.count), "flows_without_end": .int(flowsWithoutEnd),
            "unseen_start_flows": .unsigned(unseenStartFlows), "unseen_start": .unsigned(unseenStart),
            "unjudged_flows": .unsigned(unjudgedFlows), "unjudged": .unsigned(unjudged), "evicted_flows": .unsigned(evictedFlows),
            "untracked": .unsigned(untracked), "implausible": .unsigned(implausible), "end_markers": .unsigned(endMarkers),
        ]
        if let p50 = latency.percentile(0.5), let p99 = latency.percentile(0.99), let p999 = latency.percentile(0.999) {
            func us(_ value: UInt64) -> JSONValue { .fixed(Double(value) / 1000, places: 3) }
            object.append("latency_us", ["p50": us(p50), "p99": us(p99), "p999": us(p999), "max": us(latency.maximum)])
        }
        object.append("flow_accounts", .array(busiestFlows(Self.listedFlows).map(Self.account)))
        return object
    }

    /// One flow's member of `flow_accounts`.
    private static func account(_ flow: FlowSummary) -> JSONValue {
        [
            "flow": .unsigned(UInt64(flow.flow)),
            "source": .optional(flow.source) { .string($0.description) },
            "received": .unsigned(flow.unique),
            "lost": .unsigned(flow.lost),
            "reordered": .unsigned(flow.reordered),
            "duplicates": .unsigned(flow.duplicates),
            "sent": .optional(flow.sent) { .unsigned($0) },
        ]
    }
}
