import CMPPSLinux

/// A flow type whose RSS hash fields ethtool can show (`ethtool -n IF rx-flow-hash TYPE`).
package enum FlowType: String, CaseIterable, Sendable {
    /// UDP over IPv4.
    case udp4
    /// UDP over IPv6.
    case udp6
    /// TCP over IPv4.
    case tcp4
    /// TCP over IPv6.
    case tcp6

    /// The kernel's `*_FLOW` constant.
    package var kernelValue: UInt32 {
        switch self {
        case .udp4: CMPPSLinux_UDP_V4_FLOW
        case .udp6: CMPPSLinux_UDP_V6_FLOW
        case .tcp4: CMPPSLinux_TCP_V4_FLOW
        case .tcp6: CMPPSLinux_TCP_V6_FLOW
        }
    }

    /// How ethtool names the flows: `UDP over IPV4`.
    package var ethtoolTitle: String {
        switch self {
        case .udp4: "UDP over IPV4"
        case .udp6: "UDP over IPV6"
        case .tcp4: "TCP over IPV4"
        case .tcp6: "TCP over IPV6"
        }
    }
}
