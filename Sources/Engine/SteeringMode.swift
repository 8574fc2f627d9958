import PacketIO
import Reporting

/// How a receiving run's SO_REUSEPORT group spreads datagrams over its
/// sockets: what `mpps recv --steer` takes.
package enum SteeringMode: String, CaseIterable, Sendable {
    /// The kernel's hash of the 4-tuple: each flow stays on one socket (no program attached).
    case hash
    /// A socket at random per datagram.
    case random
    /// The socket whose thread is pinned to the CPU that processed the datagram.
    case cpu
}
