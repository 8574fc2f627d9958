import PacketIO
import Reporting

/// Where and how long the lab runs: the input of ``LabPlan/experiments(_:)``.
package struct LabSetting: Sendable, Equatable {
    /// Seconds each sender runs.
    package var seconds: Double
    /// The UDP port every receiver listens on.
    package var port: UInt16
    /// The CPUs mpps may use (its affinity), ascending.
    package var cpus: [Int]
    /// The receiver's addresses, the first being the main one; the several-addresses
    /// experiment sends to all of them. Consecutive in the last octet.
    package var addresses: [String]
    /// True when the sender and receiver run in two namespaces joined by a veth pair.
    package var netns: Bool
    /// What this build accepts.
    package var capabilities: LabCapabilities
    /// The receiver's end of the veth pair, for the `af-xdp` experiment (`--netns` only); nil leaves it out.
    package var xdpInterface: String? = nil
    /// The sender's end of the veth pair, for the `af-xdp-send` experiments (`--netns` only); nil leaves them out.
    package var xdpSenderInterface: String? = nil

    /// Creates a setting.
    package init(seconds: Double, port: UInt16, cpus: [Int], addresses: [String], netns: Bool, capabilities: LabCapabilities) {
        self.seconds = seconds
        self.port = port
        self.cpus = cpus
        self.addresses = addresses
        self.netns = netns
        self.capabilities = capabilities
    }

    /// The AF_XDP experiments' interfaces: the receiver's and the sender's ends of the namespaces' veth pair (none without).
    mutating func useVeth(_ namespaces: LabNamespaces?) {
        xdpInterface = namespaces?.receiverDevice
        xdpSenderInterface = namespaces?.senderDevice
    }
}
