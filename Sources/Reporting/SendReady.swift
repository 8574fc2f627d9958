import PacketIO

/// A sender that has started: its sockets connected and its threads sending.
/// The same value makes the line on standard error for people (``text``) and,
/// with `--json`, the first line on standard output (``json``), so that every
/// JSON stream of `recv` and `send` begins with a `ready` line and ends with a
/// `summary`.
package struct SendReady: Equatable, Sendable {
    /// Where the datagrams go, in order.
    package var targets: [SocketAddress]
    /// Sending threads over all targets.
    package var threads: Int
    /// Flows (connected sockets, each its own source port) over all targets.
    package var flows: Int
    /// UDP payload bytes per datagram.
    package var payload: Int
    /// Whether each datagram carries the sequence header (`--payload-pattern sequence`, 16 bytes or more).
    package var headers: Bool
    /// Datagrams per `sendmmsg` call.
    package var batch: Int
    /// UDP GSO datagrams per message; 1 when off (or when the kernel refused it).
    package var segments: Int
    /// Datagrams per second over all threads; nil for as fast as possible.
    package var rate: Double?
    /// Datagrams to send in total; nil for no limit.
    package var count: UInt64?
    /// The CPU each thread is pinned to, by thread index; nil when unpinned.
    package var cpus: [Int]?
    /// The key of the flow ids, for `recv --flow-key`; nil without headers.
    package var flowKey: FlowKey?
    /// The sending process.
    package var processID: Int32

    /// Creates a value.
    package init(targets: [SocketAddress], threads: Int, flows: Int, payload: Int, headers: Bool, batch: Int,
                segments: Int, rate: Double?, count: UInt64?, cpus: [Int]?, flowKey: FlowKey?, processID: Int32) {
        self.targets = targets
        self.threads = threads
        self.flows = flows
        self.payload = payload
        self.headers = headers
        self.batch = batch
        self.segments = segments
        self.rate = rate
        self.count = count
        self.cpus = cpus
        self.flowKey = flowKey
        self.processID = processID
    }

    /// `mpps send: 2 threads to 127.0.0.1:4321, 32-byte payloads, batch 1024, GSO 64 per message,
    /// 100.0k datagrams/s, 200000 datagrams; Ctrl-C stops`, for people.
    package var text: String {
        let threadText = (threads == 1 ? "1 thread" : "\(threads) threads") + (flows == threads ? "" : ", \(flows) flows")
        let gso = segments > 1 ? ", GSO \(segments) per message" : ""
        var limits = ""
        if let rate { limits += ", \(Units.shortRate(rate)) datagrams/s" }
        if let count { limits += ", \(count) datagrams" }
        if let flowKey { limits += ", flow key \(flowKey)" }
        return "mpps send: \(threadText) to \(targets.map(\.description).joined(separator: ", ")), "
            + "\(payload)-byte payloads, batch \(batch)\(gso)\(limits); Ctrl-C stops"
    }

    /// The first line of `mpps send --json`, keys in this order:
    ///
    /// - `type`: `"ready"`.
    /// - `targets`: the addresses sent to (a range such as `127.0.0.1-4:4321` is listed one by one).
    /// - `threads`, `flows`: sending threads and flows (connected sockets) over all targets.
    /// - `payload`: UDP payload bytes; `headers`: whether datagrams carry the sequence header.
    /// - `batch`: datagrams per `sendmmsg` call; `gso`: datagrams per GSO message (1: off).
    /// - `rate`: datagrams per second asked (1 decimal), or null; `count`: datagrams asked, or null.
    /// - `cpus`: the CPU each thread is pinned to, by thread index, or null when unpinned.
    /// - `flow_key`: the key of the flow ids (16 hex digits) for `recv --flow-key`, or null without headers.
    /// - `pid`: the sending process.
    package var json: JSONValue {
        [
            "type": "ready",
            "targets": .strings(targets.map(\.description)),
            "threads": .int(threads),
            "flows": .int(flows),
            "payload": .int(payload),
            "headers": .bool(headers),
            "batch": .int(batch),
            "gso": .int(segments),
            "rate": .optional(rate) { .fixed($0, places: 1) },
            "count": .optional(count) { .unsigned($0) },
            "cpus": .optional(cpus) { .ints($0) },
            "flow_key": .optional(flowKey) { .string($0.description) },
            "pid": .int(Int(processID)),
        ]
    }
}
