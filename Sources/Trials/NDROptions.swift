import PacketIO
import Reporting

/// What `mpps ndr` was asked for.
package struct NDROptions: Sendable {
    /// Where the receiver listens and the sender sends; nil for 127.0.0.1 and a free port
    /// (198.18.0.1:4321 with ``netns``).
    package var target: SocketAddress?
    /// The lowest rate to consider, datagrams per second.
    package var minimum = 10_000.0
    /// The highest rate to consider.
    package var maximum = 1_000_000.0
    /// The largest fraction of datagrams a passing trial may lose.
    package var loss = 0.0
    /// Seconds of sending per trial.
    package var trialSeconds = 2.0
    /// Search trials at most.
    package var steps = 8
    /// UDP GSO segments per message for the sender; nil sends plainly.
    package var gso: Int?
    /// Run in two network namespaces joined by a veth pair.
    package var netns = false
    /// JSON lines instead of text.
    package var json = false
    /// The `mpps serve` (`HOST[:PORT]`) whose host runs the receivers; nil runs them here.
    package var server: String?
    /// The shared key to prove to the server, if it asks.
    package var key: [UInt8]?

    /// The shortest trial worth running. A sender may take 5% and 50 ms more
    /// than a trial (``NDRRun/senderLimit(_:)``), so the shorter the trial, the
    /// lower the rate that passes as "offered": at 0.1 s a sender at 65% of it
    /// still passes; at 1 ms one at 2% would, its start-up most of what is timed.
    package static let shortestTrial = 0.1
    /// Why, for the message that refuses a shorter `--trial`.
    package static let shortestTrialReason = " (shorter trials pass without the rate having been offered)"

    /// The defaults of `mpps ndr`.
    package init() {}
}
