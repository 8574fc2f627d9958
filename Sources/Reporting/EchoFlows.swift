import PacketIO

/// What an echo saw of one flow of `mpps ping` requests: the requests that carried
/// ping's header with one source address and port, token and flow number, and the
/// gaps in their sequence numbers (requests lost on the way in).
package struct EchoFlowAccount: Equatable, Sendable {
    package var source: SocketAddress
    package var token: UInt32
    package var flow: UInt16
    /// Distinct sequence numbers received.
    package var distinct: UInt64
    /// Requests whose sequence number had arrived already.
    package var duplicates: UInt64
    /// Requests that arrived after a later one.
    package var reordered: UInt64
    /// The lowest and highest sequence numbers seen.
    package var lowest: UInt64, highest: UInt64

    package init(source: SocketAddress, token: UInt32, flow: UInt16, distinct: UInt64, duplicates: UInt64,
                 reordered: UInt64, lowest: UInt64, highest: UInt64) {
        self.source = source
        self.token = token
        self.flow = flow
        self.distinct = distinct
        self.duplicates = duplicates
        self.reordered = reordered
        self.lowest = lowest
        self.highest = highest
    }

    /// Every request of the flow that reached the echo: distinct ones and duplicates.
    package var requests: UInt64 { distinct.addingSaturating(duplicates) }

    /// Sequence numbers between the lowest and the highest seen that never arrived: lost on the
    /// way in (on the network, or dropped at the echo's socket). Those past the highest are
    /// invisible here (the ping's own account has them).
    package var lostIn: UInt64 {
        let span = highest - lowest + 1
        return span > distinct ? span - distinct : 0
    }

    /// `{"source":"A:P","token":N,"flow":N,"requests":N,"lost_in":N,"reordered":N,"duplicates":N,"highest":N}`.
    package var json: JSONValue {
        ["source": .string(source.description), "token": .unsigned(UInt64(token)), "flow": .int(Int(flow)),
         "requests": .unsigned(requests), "lost_in": .unsigned(lostIn), "reordered": .unsigned(reordered),
         "duplicates": .unsigned(duplicates), "highest": .unsigned(highest)]
    }
}

/// What an echo counted of the requests that carried `mpps ping`'s header, over its
/// threads: totals over every flow (those that gave their place up included), and
/// the accounts of the flows still held.
package struct EchoFlows: Equatable, Sendable {
    /// Flows that had a place, over the run.
    package var flows: UInt64 = 0
    /// Requests counted in a flow, and their lost, reordered and repeated ones.
    package var requests: UInt64 = 0
    package var lostIn: UInt64 = 0
    package var reordered: UInt64 = 0
    package var duplicates: UInt64 = 0
    /// Requests with the header whose flow found no place (every way of its part of the table busy).
    package var untracked: UInt64 = 0
    /// Requests whose header claimed the impossible (a sequence of 2^48 or more, or more than 2^32 from its flow's highest).
    package var implausible: UInt64 = 0
    /// Flows that went quiet and gave their place to a newer one (their counts stay in the totals).
    package var retiredFlows: UInt64 = 0
    /// The flows still held, the most requests first.
    package var accounts: [EchoFlowAccount] = []

    /// Nothing counted.
    package init() {}

    /// The accounts listed at most.
    package static let listed = 64

    /// These counts and `other`'s together (another thread's).
    package func adding(_ other: EchoFlows) -> EchoFlows {
        var sum = self
        sum.flows = flows.addingSaturating(other.flows)
        sum.requests = requests.addingSaturating(other.requests)
        sum.lostIn = lostIn.addingSaturating(other.lostIn)
        sum.reordered = reordered.addingSaturating(other.reordered)
        sum.duplicates = duplicates.addingSaturating(other.duplicates)
        sum.untracked = untracked.addingSaturating(other.untracked)
        sum.implausible = implausible.addingSaturating(other.implausible)
        sum.retiredFlows = retiredFlows.addingSaturating(other.retiredFlows)
        sum.accounts = (accounts + other.accounts).sorted { $0.requests > $1.requests }
        return sum
    }

    /// `{"flows":N,"requests":N,"lost_in":N,"reordered":N,"duplicates":N,"untracked":N,"implausible":N,
    /// "retired_flows":N,"accounts":[...]}`: the accounts (``EchoFlowAccount/json``) of at most ``listed`` flows.
    package var json: JSONValue {
        ["flows": .unsigned(flows), "requests": .unsigned(requests), "lost_in": .unsigned(lostIn),
         "reordered": .unsigned(reordered), "duplicates": .unsigned(duplicates), "untracked": .unsigned(untracked),
         "implausible": .unsigned(implausible), "retired_flows": .unsigned(retiredFlows),
         "accounts": .array(accounts.prefix(Self.listed).map(\.json))]
    }

    /// `ping flows: 4 flows, 1000 requests, 3 lost on the way in, 0 reordered, 0 duplicates`
    /// (with untracked, implausible and retired flows when there are any).
    package var text: String {
        "ping flows: \(flows) flow\(flows == 1 ? "" : "s"), \(requests) requests, \(lostIn) lost on the way in, "
            + "\(reordered) reordered, \(duplicates) duplicates"
            + (untracked > 0 ? ", \(untracked) untracked" : "") + (implausible > 0 ? ", \(implausible) implausible" : "")
            + (retiredFlows > 0 ? ", \(retiredFlows) retired" : "")
    }
}
