import PacketIO

/// A ping's counts and RTT histograms, over its threads or over an interval.
package struct PingTotals: Equatable, Sendable {
    /// The counters by ``PingCount`` (sums; the two maxima are maxima).
    package var counts: [UInt64]
    /// RTTs from the intended send time: the honest figure in an open loop.
    package var intended: LatencyHistogram
    /// RTTs from the actual send time.
    package var actual: LatencyHistogram

    /// Nothing counted.
    package init() {
        counts = Array(repeating: 0, count: PingCount.allCases.count)
        intended = LatencyHistogram(bits: PingCount.histogramBits)
        actual = LatencyHistogram(bits: PingCount.histogramBits)
    }

    /// The totals of the threads whose slots hold `slots` (each ``PingCount/words`` words).
    package init(slots: [[UInt64]]) {
        self.init()
        var intendedCounts = intended.counts
        var actualCounts = actual.counts
        for words in slots where words.count >= PingCount.words {
            add(counts: words)
            for bucket in 0..<PingCount.bucketCount {
                intendedCounts[bucket] &+= words[PingCount.intendedBuckets + bucket]
                actualCounts[bucket] &+= words[PingCount.actualBuckets + bucket]
            }
        }
        // Totals from the buckets themselves: a live reading may find a count bumped before its reply was.
        intended = LatencyHistogram(counts: intendedCounts, total: intendedCounts.reduce(0, &+), maximum: self[.intendedMax])
        actual = LatencyHistogram(counts: actualCounts, total: actualCounts.reduce(0, &+), maximum: self[.actualMax])
    }

    /// The totals of a run whose flows keep their counts in `flows` (each the ``PingCount`` words before
    /// the histograms, at least) and whose threads keep the RTTs in `latencies` (each ``PingCount/words``).
    package init(flows: [[UInt64]], latencies: [[UInt64]]) {
        self.init(slots: latencies)
        for words in flows where words.count >= PingCount.allCases.count { add(counts: words) }
    }

    /// Adds one slot's counts (sums; the maxima and `sendingDone` are maxima).
    private mutating func add(counts words: [UInt64]) {
        for what in PingCount.allCases {
            let value = words[what.rawValue]
            counts[what.rawValue] = what == .intendedMax || what == .actualMax || what == .sendingDone
                ? max(counts[what.rawValue], value) : counts[what.rawValue].addingSaturating(value)
        }
    }

    /// The count of `what`.
    package subscript(_ what: PingCount) -> UInt64 { counts[what.rawValue] }

    /// What happened between `earlier` and these totals: counts and histograms subtracted;
    /// each histogram's maximum is the top of its highest bucket that grew (or the run's, if lower).
    package func since(_ earlier: PingTotals) -> PingTotals {
        var delta = PingTotals()
        delta.counts = zip(counts, earlier.counts).map { $0 &- $1 }
        delta.intended = intended.since(earlier.intended)
        delta.actual = actual.since(earlier.actual)
        return delta
    }

    /// Requests lost: refused on the way out, answered late, never answered. With
    /// ``PingCount/replies``, they make up ``PingCount/sent`` exactly.
    package var lost: (sendErrors: UInt64, late: UInt64, neverAnswered: UInt64) {
        let resolved = self[.sendErrors] &+ self[.replies] &+ self[.late]
        return (self[.sendErrors], self[.late], self[.sent] > resolved ? self[.sent] - resolved : 0)
    }
}

extension LatencyHistogram {
    /// The values recorded since `earlier` (a reading of the same histogram, taken before).
    package func since(_ earlier: LatencyHistogram) -> LatencyHistogram {
        let delta = zip(counts, earlier.counts).map { $0 &- $1 }
        let top = delta.lastIndex { $0 > 0 }.map { upperBound(of: $0) } ?? 0
        return LatencyHistogram(counts: delta, total: total &- earlier.total, maximum: min(top, maximum))
    }

    /// `{"p50":X,"p90":X,"p99":X,"p999":X,"max":X,"mean":X,"histogram":[[UPPER,COUNT],...]}` in microseconds
    /// (1 decimal; null when empty), `mean` from `sum` nanoseconds; each histogram entry is a bucket
    /// that holds values: its upper edge in µs (3 decimals: to the nanosecond) and its count.
    package func json(sumNanoseconds: UInt64) -> JSONValue {
        func micros(_ value: UInt64?) -> JSONValue { .optional(value) { .fixed(Double($0) / 1000, places: 1) } }
        let buckets: [JSONValue] = counts.indices.filter { counts[$0] > 0 }.map { index in
            .array([.fixed(Double(upperBound(of: index)) / 1000, places: 3), .unsigned(counts[index])])
        }
        return [
            "p50": micros(percentile(0.5)), "p90": micros(percentile(0.9)), "p99": micros(percentile(0.99)),
            "p999": micros(percentile(0.999)), "max": micros(total > 0 ? maximum : nil),
            "mean": .optional(total > 0 ? Double(sumNanoseconds) / Double(total) / 1000 : nil) { .fixed($0, places: 1) },
            "histogram": .array(buckets),
        ]
    }

    /// `p50 27.5 p99 43.0 p99.9 55.1 max 60.2` (µs), or `no replies`.
    package var microsecondsText: String {
        guard total > 0 else { return "no replies" }
        func us(_ value: UInt64?) -> String { value.map { Units.fixed(Double($0) / 1000, decimals: 1) } ?? "-" }
        return "p50 \(us(percentile(0.5))) p99 \(us(percentile(0.99))) p99.9 \(us(percentile(0.999))) max \(us(maximum))"
    }
}

/// What a ping did in one interval.
package struct PingInterval: Equatable, Sendable {
    package var elapsed: Double
    package var length: Double
    package var delta: PingTotals

    package init(elapsed: Double, length: Double, delta: PingTotals) {
        self.elapsed = elapsed
        self.length = length
        self.delta = delta
    }

    /// `{"type":"interval","elapsed":S,"requests":N,"replies":N,"p50_us":X,"p99_us":X,"p999_us":X,"max_us":X,
    /// "actual_p50_us":X,"actual_p99_us":X}`: requests sent and replies in time during the interval, and
    /// the RTT of those replies from the intended send time (and from the actual one); `max_us` is the top
    /// of the highest bucket reached (within 0.8 %); null without replies.
    package var json: JSONValue {
        func micros(_ value: UInt64?) -> JSONValue { .optional(value) { .fixed(Double($0) / 1000, places: 1) } }
        let intended = delta.intended
        let actual = delta.actual
        return [
            "type": "interval",
            "elapsed": .fixed(elapsed, places: 3),
            "requests": .unsigned(delta[.sent]),
            "replies": .unsigned(delta[.replies]),
            "p50_us": micros(intended.percentile(0.5)),
            "p99_us": micros(intended.percentile(0.99)),
            "p999_us": micros(intended.percentile(0.999)),
            "max_us": micros(intended.total > 0 ? intended.maximum : nil),
            "actual_p50_us": micros(actual.percentile(0.5)),
            "actual_p99_us": micros(actual.percentile(0.99)),
        ]
    }

    /// `   1.000 s  1000 requests  1000 replies  rtt µs p50 27.5 p99 43.0 p99.9 55.1 max 60.2`.
    package var text: String {
        "\(Units.fixed(elapsed, decimals: 3, width: 8)) s  \(delta[.sent]) requests  \(delta[.replies]) replies  "
            + "rtt µs \(delta.intended.microsecondsText)"
    }
}

/// A whole ping run, printed once at the end.
package struct PingSummary: Equatable, Sendable {
    package var totals: PingTotals
    /// `open` (a rate) or `closed` (requests in flight).
    package var mode: String
    package var seconds: Double
    package var reason: StopReason
    /// The ping threads' CPU time over the run, when read.
    package var cpu: CPUUse?
    /// With `--server`: the requests the remote echo did not answer or had dropped at its
    /// socket (its summary's `not_answered.total` + `socket_drops`); nil otherwise.
    package var echoLosses: UInt64?
    /// With `--server`: the gaps the echo counted in this run's flows (its `ping_flows` accounts with
    /// this run's token) beyond its socket's drops: requests lost before they reached its socket
    /// (a lower bound: the socket's drops may include strangers'); nil otherwise.
    package var echoLostBefore: UInt64?
    /// How the requests spread over the flows; nil when not told (a summary made in a test).
    package var flows: PingFlowSpread?

    package init(totals: PingTotals, mode: String, seconds: Double, reason: StopReason, cpu: CPUUse?, echoLosses: UInt64? = nil,
                 flows: PingFlowSpread? = nil) {
        self.totals = totals
        self.echoLosses = echoLosses
        self.flows = flows
        self.mode = mode
        self.seconds = seconds
        self.reason = reason
        self.cpu = cpu
    }

    /// The ping threads' CPU nanoseconds per request sent; nil without CPU times or requests.
    package var cpuNanosecondsPerRequest: Double? { cpu?.threadNanoseconds(per: totals[.sent]) }

    /// The last JSON line of `mpps ping --json`, keys in this order: `type` (`"summary"`), `mode`,
    /// `sent`, `replies`, `lost` (``PingLoss/json``: `sent = replies + lost.total`, always), `late`,
    /// `duplicates`, `strangers` (`{"wrong_source","forged","stale"}`: datagrams that completed no
    /// request), `flows` (``PingFlowSpread/json``, when known), `rtt_us` (from the intended send time: ``LatencyHistogram/json(sumNanoseconds:)``),
    /// `rtt_actual_us` (from the actual send time), `send_calls`, `receive_calls`, `seconds`, `stop`, and
    /// when CPU time was read `cpu_user_s`, `cpu_system_s`, `cpu_ns_per_request`.
    package var json: JSONValue {
        let t = totals
        var object: JSONObject = [
            "type": "summary",
            "mode": .string(mode),
            "sent": .unsigned(t[.sent]),
            "replies": .unsigned(t[.replies]),
            "lost": loss.json,
            "late": .unsigned(t[.late]),
            "duplicates": .unsigned(t[.duplicates]),
            "strangers": ["wrong_source": .unsigned(t[.wrongSource]), "forged": .unsigned(t[.forged]), "stale": .unsigned(t[.stale])],
        ]
        if let flows { object.append("flows", flows.json) }
        object.append(contentsOf: [
            "rtt_us": t.intended.json(sumNanoseconds: t[.intendedSum]),
            "rtt_actual_us": t.actual.json(sumNanoseconds: t[.actualSum]),
            "send_calls": .unsigned(t[.sendCalls]),
            "receive_calls": .unsigned(t[.receiveCalls]),
            "seconds": .fixed(seconds, places: 3),
            "stop": .string(reason.rawValue),
        ])
        cpu?.appendPerRequest(to: &object, requests: t[.sent])
        return .object(object)
    }

    /// The summary for people: the account, the strangers, the two RTTs.
    package var text: String {
        let t = totals
        return "ping: \(t[.sent]) sent = \(t[.replies]) replies + \(loss.text); "
            + "\(t[.duplicates]) duplicates, strangers: wrong source \(t[.wrongSource]), forged \(t[.forged]), stale \(t[.stale])\n"
            + "      rtt µs from the intended send time: \(t.intended.microsecondsText)\n"
            + "      rtt µs from the actual send time:   \(t.actual.microsecondsText)\n"
            + "      \(Units.fixed(seconds, decimals: 3)) s, \(mode) loop" + (flows.map { $0.count > 1 ? ", \($0.text)" : "" } ?? "")
            + (cpuNanosecondsPerRequest.map { ", \(Units.fixed($0, decimals: 0)) ns of CPU per request" } ?? "")
            + ", stopped by \(reason.rawValue)"
    }

    /// The lost requests by cause; with ``echoLosses`` and ``echoLostBefore`` (`--server`), those
    /// the echo's own counts explain come out of the never answered ones, each at most what is left.
    package var loss: PingLoss {
        let lost = totals.lost
        let atEcho = echoLosses.map { min($0, lost.neverAnswered) }
        let left = lost.neverAnswered - (atEcho ?? 0)
        let beforeEcho = echoLostBefore.map { min($0, left) }
        return PingLoss(sendErrors: lost.sendErrors, late: lost.late, beforeEcho: beforeEcho, atEcho: atEcho,
                        neverAnswered: left - (beforeEcho ?? 0))
    }
}

/// How a ping's requests spread over its flows (each its own socket, sequence numbers and
/// account, in which `sent = replies + lost` closes as in the total): how many flows, the
/// fewest and most replies one flow had, and the most requests one flow lost.
package struct PingFlowSpread: Equatable, Sendable {
    package var count: Int
    package var fewestReplies: UInt64
    package var mostReplies: UInt64
    package var mostLost: UInt64

    /// The spread of flows whose counts are `flows` (each the ``PingCount`` words before the histograms,
    /// at least): read word by word, since a ``PingTotals`` per flow would hold two histograms each.
    package init(flows: [[UInt64]]) {
        let counted = flows.filter { $0.count >= PingCount.allCases.count }
        func word(_ words: [UInt64], _ what: PingCount) -> UInt64 { words[what.rawValue] }
        // As PingTotals.lost: send errors, late, and the rest of the requests not resolved.
        func lost(_ words: [UInt64]) -> UInt64 {
            let resolved = word(words, .sendErrors) &+ word(words, .replies) &+ word(words, .late)
            let unresolved = word(words, .sent) > resolved ? word(words, .sent) - resolved : 0
            return word(words, .sendErrors) &+ word(words, .late) &+ unresolved
        }
        count = counted.count
        fewestReplies = counted.map { word($0, .replies) }.min() ?? 0
        mostReplies = counted.map { word($0, .replies) }.max() ?? 0
        mostLost = counted.map(lost).max() ?? 0
    }

    /// `{"count":N,"replies_min":N,"replies_max":N,"lost_max":N}`.
    package var json: JSONValue {
        ["count": .int(count), "replies_min": .unsigned(fewestReplies), "replies_max": .unsigned(mostReplies),
         "lost_max": .unsigned(mostLost)]
    }

    /// `4 flows (replies 250 to 251 per flow, at most 0 lost)`.
    package var text: String {
        "\(count) flows (replies \(fewestReplies) to \(mostReplies) per flow, at most \(mostLost) lost)"
    }
}

/// A ping's lost requests by cause. `sendErrors + late + atEcho + neverAnswered` is
/// ``total``, and with the replies it makes up the requests sent, exactly.
package struct PingLoss: Equatable, Sendable {
    /// Refused by this host's kernel on the way out (the send call failed on them).
    package var sendErrors: UInt64
    /// Answered after `--timeout`.
    package var late: UInt64
    /// With `--server`: lost on the way to the echo's socket, by the gaps the echo counted in this
    /// run's flows beyond its socket's drops; nil when no echo was asked.
    package var beforeEcho: UInt64?
    /// With `--server`: reached the echo's host and were dropped at the echo's socket or not
    /// answered by it (by the echo's own summary); nil when no echo was asked.
    package var atEcho: UInt64?
    /// Never answered, and not explained by a count on either host.
    package var neverAnswered: UInt64

    /// The lost requests by these causes.
    package init(sendErrors: UInt64, late: UInt64, beforeEcho: UInt64? = nil, atEcho: UInt64?, neverAnswered: UInt64) {
        self.sendErrors = sendErrors
        self.late = late
        self.beforeEcho = beforeEcho
        self.atEcho = atEcho
        self.neverAnswered = neverAnswered
    }

    /// All lost requests.
    package var total: UInt64 { sendErrors &+ late &+ (beforeEcho ?? 0) &+ (atEcho ?? 0) &+ neverAnswered }

    /// `{"total":N,"send_errors":N,"late":N,"before_echo":N,"at_echo":N,"never_answered":N}`; `before_echo`
    /// and `at_echo` only with `--server`.
    package var json: JSONValue {
        var object: JSONObject = ["total": .unsigned(total), "send_errors": .unsigned(sendErrors), "late": .unsigned(late)]
        if let beforeEcho { object.append("before_echo", .unsigned(beforeEcho)) }
        if let atEcho { object.append("at_echo", .unsigned(atEcho)) }
        object.append("never_answered", .unsigned(neverAnswered))
        return .object(object)
    }

    /// `3 lost (send errors 0, late 1, before the echo 0, at the echo 2, never answered 0)`; the echo's
    /// parts only with `--server`.
    package var text: String {
        "\(total) lost (send errors \(sendErrors), late \(late), "
            + (beforeEcho.map { "before the echo \($0), " } ?? "") + (atEcho.map { "at the echo \($0), " } ?? "") + "never answered \(neverAnswered))"
    }
}

/// The first line of `mpps ping`.
package struct PingReady: Equatable, Sendable {
    package var target: SocketAddress
    package var threads: Int
    package var flows: Int
    package var rate: Double?
    package var inflight: Int?
    package var timeout: Double
    package var payload: Int
    /// Whether requests start with sockperf's header (`--sockperf`).
    package var sockperf: Bool
    package var count: UInt64?
    package var cpus: [Int]?
    package var processID: Int32

    package init(target: SocketAddress, threads: Int, flows: Int, rate: Double?, inflight: Int?, timeout: Double, payload: Int,
                sockperf: Bool = false, count: UInt64?, cpus: [Int]?, processID: Int32) {
        self.target = target
        self.threads = threads
        self.flows = flows
        self.rate = rate
        self.inflight = inflight
        self.timeout = timeout
        self.payload = payload
        self.sockperf = sockperf
        self.count = count
        self.cpus = cpus
        self.processID = processID
    }

    package var text: String {
        let mode = rate.map { "open loop at \(Units.shortRate($0)) requests/s" + (inflight.map { ", at most \($0) in flight per flow" } ?? "") }
            ?? "closed loop, \(inflight ?? 1) in flight per flow"
        return "mpps ping: \(target), \(threads) thread\(threads == 1 ? "" : "s"), \(flows) flow\(flows == 1 ? "" : "s"), \(mode), \(payload) bytes\(sockperf ? " (sockperf's header first)" : ""), "
            + "timeout \(Units.plain(timeout)) s" + (cpus.map { ", on CPUs \(CPUList($0))" } ?? "") + "; Ctrl-C stops"
    }

    /// `{"type":"ready","command":"ping","target":T,"threads":N,"flows":N,"mode":"open"|"closed","rate":X|null,
    /// "inflight":N|null,"timeout":S,"payload":N,"sockperf":B,"count":N|null,"cpus":[..]|null,"pid":N}`.
    package var json: JSONValue {
        [
            "type": "ready", "command": "ping", "target": .string(target.description), "threads": .int(threads),
            "flows": .int(flows), "mode": .string(rate == nil ? "closed" : "open"), "rate": .optional(rate) { .fixed($0, places: 1) },
            "inflight": .optional(inflight) { .int($0) }, "timeout": .fixed(timeout, places: 3), "payload": .int(payload),
            "sockperf": .bool(sockperf), "count": .optional(count) { .unsigned($0) }, "cpus": .optional(cpus) { .ints($0) }, "pid": .int(Int(processID)),
        ]
    }
}
