import PacketIO

/// An echo's counts, summed over its threads or over an interval, by ``EchoCount``.
package struct EchoTotals: Equatable, Sendable {
    /// The words, indexed by ``EchoCount`` raw values.
    package var words: [UInt64]

    /// All zero.
    package init() { words = Array(repeating: 0, count: EchoCount.allCases.count) }

    /// From a slot's words (missing ones read as 0).
    package init(words: [UInt64]) {
        self.init()
        for index in 0..<min(words.count, self.words.count) { self.words[index] = words[index] }
    }

    /// The count of `what`.
    package subscript(_ what: EchoCount) -> UInt64 { words[what.rawValue] }

    /// Requests not answered, all causes together.
    package var notAnswered: UInt64 {
        self[.truncated] &+ self[.noSource] &+ self[.noBuffers] &+ self[.timedOut] &+ self[.sendErrors] &+ self[.unasked]
    }

    /// Word-by-word difference from `earlier`, for an interval.
    package func since(_ earlier: EchoTotals) -> EchoTotals {
        EchoTotals(words: zip(words, earlier.words).map { $0 &- $1 })
    }

    /// `"not_answered":{"total":N,"truncated":N,"no_source":N,"no_buffers":N,"timed_out":N,"send_errors":N,"unasked":N}`.
    package var notAnsweredJSON: JSONValue {
        ["total": .unsigned(notAnswered), "truncated": .unsigned(self[.truncated]), "no_source": .unsigned(self[.noSource]),
         "no_buffers": .unsigned(self[.noBuffers]), "timed_out": .unsigned(self[.timedOut]),
         "send_errors": .unsigned(self[.sendErrors]), "unasked": .unsigned(self[.unasked])]
    }
}

/// What an echo did in one interval.
package struct EchoInterval: Equatable, Sendable {
    /// Seconds from the start to the end of the interval, and the interval's length.
    package var elapsed: Double, length: Double
    /// All threads together, over the interval.
    package var delta: EchoTotals
    /// Each thread's requests and replies over the interval.
    package var threads: [(requests: UInt64, replies: UInt64)]
    /// Requests the kernel dropped at the echo's sockets in the interval (SO_MEMINFO); nil when unreadable.
    package var socketDrops: UInt64?

    /// Creates a report.
    package init(elapsed: Double, length: Double, delta: EchoTotals, threads: [(requests: UInt64, replies: UInt64)],
                socketDrops: UInt64?) {
        self.elapsed = elapsed
        self.length = length
        self.delta = delta
        self.threads = threads
        self.socketDrops = socketDrops
    }

    package static func == (a: EchoInterval, b: EchoInterval) -> Bool {
        a.elapsed == b.elapsed && a.length == b.length && a.delta == b.delta && a.socketDrops == b.socketDrops
            && a.threads.map(\.requests) == b.threads.map(\.requests) && a.threads.map(\.replies) == b.threads.map(\.replies)
    }

    private func perSecond(_ value: UInt64) -> Double { length > 0 ? Double(value) / length : 0 }

    /// `{"type":"interval","elapsed":S,"requests":N,"replies":N,"requests_per_s":X,"replies_per_s":X,
    /// "not_answered":N,"socket_drops":N|null,"threads":[{"id":N,"requests":N,"replies":N}]}`.
    package var json: JSONValue {
        [
            "type": "interval",
            "elapsed": .fixed(elapsed, places: 3),
            "requests": .unsigned(delta[.requests]),
            "replies": .unsigned(delta[.replies]),
            "requests_per_s": .fixed(perSecond(delta[.requests]), places: 1),
            "replies_per_s": .fixed(perSecond(delta[.replies]), places: 1),
            "not_answered": .unsigned(delta.notAnswered),
            "socket_drops": .optional(socketDrops) { .unsigned($0) },
            "threads": .array(threads.enumerated().map { index, thread in
                ["id": .int(index), "requests": .unsigned(thread.requests), "replies": .unsigned(thread.replies)]
            }),
        ]
    }

    /// The line for people: `  2.000 s   99.9k requests/s   99.9k replies/s   not answered 0   socket drops 0`.
    package var text: String {
        "\(Units.fixed(elapsed, decimals: 3, width: 8)) s  \(Units.shortRate(perSecond(delta[.requests]))) requests/s  "
            + "\(Units.shortRate(perSecond(delta[.replies]))) replies/s  not answered \(delta.notAnswered)  "
            + "socket drops \(socketDrops.map { "\($0)" } ?? "?")"
    }
}

/// A whole echo run, printed once at the end.
package struct EchoSummary: Equatable, Sendable {
    /// All threads together.
    package var totals: EchoTotals
    /// Each thread's requests, by index.
    package var threadRequests: [UInt64]
    /// Seconds from start to stop.
    package var seconds: Double
    /// Why the run ended.
    package var reason: StopReason
    /// Requests the kernel dropped at the sockets over the run; nil when unreadable.
    package var socketDrops: UInt64?
    /// Where CPU time went over the run, when read.
    package var cpu: CPUUse?
    /// The requests that carried `mpps ping`'s header, per flow: gaps are requests lost on the way in.
    package var pingFlows: EchoFlows

    /// Creates a summary.
    package init(totals: EchoTotals, threadRequests: [UInt64], seconds: Double, reason: StopReason,
                socketDrops: UInt64?, cpu: CPUUse?, pingFlows: EchoFlows = EchoFlows()) {
        self.pingFlows = pingFlows
        self.totals = totals
        self.threadRequests = threadRequests
        self.seconds = seconds
        self.reason = reason
        self.socketDrops = socketDrops
        self.cpu = cpu
    }

    /// The echo threads' CPU nanoseconds per request (user + system); nil without CPU times or requests.
    package var cpuNanosecondsPerRequest: Double? { cpu?.threadNanoseconds(per: totals[.requests]) }

    /// The last JSON line of `mpps echo --json`, keys in this order: `type` (`"summary"`),
    /// `requests`, `replies`, `not_answered` (``EchoTotals/notAnsweredJSON``: `requests = replies +
    /// not_answered.total`, always), `socket_drops` (requests the kernel dropped before the echo read
    /// them, SO_MEMINFO; null when unreadable), `request_bytes`, `reply_bytes`, `receive_calls`, `send_calls`,
    /// `refused_retries`, `gso_messages` and `gso_fallbacks` (``EchoCount/gsoMessages``, ``EchoCount/gsoFallbacks``;
    /// 0 without `--gso`), `ping_flows` (``EchoFlows/json``), `seconds`, `threads` (requests per thread), `stop`,
    /// and when CPU time was read
    /// `cpu_user_s`, `cpu_system_s`, `cpu_ns_per_request`.
    package var json: JSONValue {
        var object: JSONObject = [
            "type": "summary",
            "requests": .unsigned(totals[.requests]),
            "replies": .unsigned(totals[.replies]),
            "not_answered": totals.notAnsweredJSON,
            "socket_drops": .optional(socketDrops) { .unsigned($0) },
            "request_bytes": .unsigned(totals[.requestBytes]),
            "reply_bytes": .unsigned(totals[.replyBytes]),
            "receive_calls": .unsigned(totals[.receiveCalls]),
            "send_calls": .unsigned(totals[.sendCalls]),
            "refused_retries": .unsigned(totals[.refusedRetries]),
            "gso_messages": .unsigned(totals[.gsoMessages]),
            "gso_fallbacks": .unsigned(totals[.gsoFallbacks]),
            "ping_flows": pingFlows.json,
            "seconds": .fixed(seconds, places: 3),
            "threads": .counters(threadRequests),
            "stop": .string(reason.rawValue),
        ]
        cpu?.appendPerRequest(to: &object, requests: totals[.requests])
        return .object(object)
    }

    /// The summary for people, two lines: the account, then time and CPU.
    package var text: String {
        let t = totals
        var lines = "echo: \(t[.requests]) requests = \(t[.replies]) replies + \(t.notAnswered) not answered "
            + "(truncated \(t[.truncated]), no source \(t[.noSource]), no buffers \(t[.noBuffers]), "
            + "timed out \(t[.timedOut]), send errors \(t[.sendErrors])"
            + (t[.unasked] > 0 ? ", unasked \(t[.unasked])" : "") + "); "
            + "\(socketDrops.map { "\($0)" } ?? "?") dropped at the socket before being read\n"
        lines += "      \(Units.fixed(seconds, decimals: 3)) s, \(t[.receiveCalls]) receive and \(t[.sendCalls]) send calls"
        if t[.gsoMessages] > 0 || t[.gsoFallbacks] > 0 {
            lines += " (\(t[.gsoMessages]) replies of several datagrams as GSO sends, GSO refused \(t[.gsoFallbacks]) times)"
        }
        if let perRequest = cpuNanosecondsPerRequest { lines += ", \(Units.fixed(perRequest, decimals: 0)) ns of CPU per request" }
        lines += ", stopped by \(reason.rawValue)"
        if pingFlows.flows > 0 || pingFlows.untracked > 0 || pingFlows.implausible > 0 { lines += "\n      " + pingFlows.text }
        return lines
    }
}

/// The first line of `mpps echo`: where it answers and how.
package struct EchoReady: Equatable, Sendable {
    /// The sockets and threads, as a receiver's ready line holds them (no moderation, no flow keys).
    package var sockets: ReceiveReady

    /// Whether coalesced requests are answered with GSO sends (`--gso`).
    package var segmentation: Bool

    /// Creates the line's values.
    package init(address: SocketAddress, threads: Int, reusePort: Bool, steering: String, cpus: [Int]?, batch: Int,
                coalescing: Bool = false, segmentation: Bool = false, receiveBuffer: Int, processID: Int32) {
        self.segmentation = segmentation
        sockets = ReceiveReady(address: address, threads: threads, reusePort: reusePort, steering: steering, cpus: cpus,
                               batch: batch, coalescing: coalescing, moderationMicroseconds: 0, receiveBuffer: receiveBuffer,
                               flowKeys: 0, processID: processID)
    }

    /// The line for people, on stderr.
    package var text: String {
        "mpps echo: answering on \(sockets.address), \(sockets.placementText), batch \(sockets.batch)"
            + (sockets.coalescing ? ", GRO" : "") + (segmentation ? ", GSO replies" : "") + ", receive buffer \(sockets.receiveBuffer) bytes; Ctrl-C stops"
    }

    /// `{"type":"ready","command":"echo","address":"A:P","threads":N,"reuseport":B,"steer":S,"cpus":[..]|null,
    /// "batch":N,"gro":B,"gso":B,"rcvbuf":N,"pid":N}`.
    package var json: JSONValue {
        [
            "type": "ready",
            "command": "echo",
            "address": .string(sockets.address.description),
            "threads": .int(sockets.threads),
            "reuseport": .bool(sockets.reusePort),
            "steer": .string(sockets.steering),
            "cpus": .optional(sockets.cpus) { .ints($0) },
            "batch": .int(sockets.batch),
            "gro": .bool(sockets.coalescing),
            "gso": .bool(segmentation),
            "rcvbuf": .int(sockets.receiveBuffer),
            "pid": .int(Int(sockets.processID)),
        ]
    }
}
