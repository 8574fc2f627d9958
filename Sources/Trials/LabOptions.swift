#if canImport(Glibc)
import Glibc
import Reporting
#endif
import PacketIO

/// What `mpps lab` was asked for.
package struct LabOptions: Sendable {
    /// Seconds each sender runs.
    package var seconds = 3.0
    /// JSON lines instead of text.
    package var json = false
    /// Run in two network namespaces joined by a veth pair.
    package var netns = false
    /// The port to receive on; nil picks a free one (4321 inside the lab's own namespaces).
    package var port: UInt16?

    /// The `mpps serve` (`HOST[:PORT]`) whose host runs the receivers; nil runs them here.
    package var server: String?
    /// The shared key to prove to the server, if it asks.
    package var key: [UInt8]?
    /// With ``server``: the receiving host's addresses as this host reaches them, the first the main one.
    package var targets: [String] = []

    /// The shortest experiment worth running: below a tenth of a second the
    /// sender's start (threads, sockets, the first batch) is most of what is
    /// timed, and the rates the lab prints are its start-up, not its speed.
    package static let shortestSeconds = 0.1
    /// Why, for the message that refuses a shorter `--seconds`.
    package static let shortestSecondsReason = " (shorter experiments time the sender's start, not its rate)"

    /// The defaults of `mpps lab`.
    package init() {}
}
