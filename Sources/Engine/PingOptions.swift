import PacketIO
import Reporting

/// How to ping: what `mpps ping` takes from its command line.
package struct PingOptions: Sendable {
    /// Where the echo answers.
    package var target = SocketAddress(ipv4: 127, 0, 0, 1, port: 4321)
    /// Pinging threads, each with its flows (``flowCount``) and their share of the rate and count.
    package var threads = 1
    /// Flows: each its own socket (source port), sequence numbers and account, shared round-robin
    /// by the threads (flow `f` on thread `f % threads`); nil is one per thread.
    package var flows: Int? = nil
    /// Requests per second over all threads: an open loop, requests sent on schedule whether or not
    /// replies came. nil: a closed loop, the next request sent when a reply came back (or a timeout passed).
    package var rate: Double? = 1000
    /// Requests in flight per flow: the closed loop's window; with a rate, a cap on the open loop
    /// (a request due while the cap is reached waits, and its intended-time RTT shows the wait).
    package var inflight: Int? = nil
    /// A reply later than this, from the request's actual send time, is late (its request is lost).
    package var timeoutSeconds = 1.0
    /// UDP payload per request: at least the header (both headers with ``sockperf``).
    package var payload = PingHeader.size
    /// Whether each request starts with sockperf's 14-byte header (a client's pong request),
    /// ping's own header after it, so that `sockperf server` answers it.
    package var sockperf = false
    /// Requests over all threads; nil until the duration or a signal ends the run.
    package var count: UInt64? = nil
    /// CPUs to pin thread `i` to (`cpus[i % count]`); nil leaves threads unpinned.
    package var cpus: CPUList? = nil

    /// The defaults of `mpps ping`: an open loop at 1000 requests per second.
    package init() {}

    /// The most requests one `sendmmsg` carries.
    package static let batch = 64

    /// The smallest payload a request can have: ping's header, after sockperf's with `sockperf`.
    package static func smallestPayload(sockperf: Bool) -> Int {
        PingHeader.size + (sockperf ? SockperfHeader.size : 0)
    }

    /// Where ping's header starts in a request: after sockperf's header with ``sockperf``.
    var pingHeaderOffset: Int { sockperf ? SockperfHeader.size : 0 }

    /// The most flows: flow numbers fit the header's 16 bits, and sockets stay few.
    package static let mostFlows = 4096

    /// Flows as they will be: ``flows``, or one per thread.
    package var flowCount: Int { flows ?? threads }

    /// Flow `flow`'s share of ``count``: the first flows take one more when it does not divide.
    package func quota(of flow: Int) -> UInt64? {
        count.map { $0 / UInt64(flowCount) + (UInt64(flow) < $0 % UInt64(flowCount) ? 1 : 0) }
    }

    /// The flows thread `index` sends and receives on: `index`, `index + threads`, ...
    package func flows(ofThread index: Int) -> [Int] {
        Array(stride(from: index, to: flowCount, by: threads))
    }

    /// Why the flows cannot be set up as asked, in one line; nil when they can.
    package var flowProblem: String? {
        guard let flows else { return nil }
        if flows < threads {
            return "--flows \(flows) is fewer than --threads \(threads): every pinging thread needs a flow of its own"
        }
        if flows > Self.mostFlows { return "--flows \(flows) is too many: use at most \(Self.mostFlows)" }
        return nil
    }

    /// The CPU of thread `index`, when pinned.
    package func cpu(of index: Int) -> Int? {
        cpus.map { $0.cpus[index % $0.cpus.count] }
    }
}
