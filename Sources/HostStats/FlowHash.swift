import CMPPSLinux

/// The packet fields a NIC hashes to pick the RX queue of a flow (RSS): the `RXH_*` bits
/// of `ETHTOOL_GRXFH`. When the ports are not hashed, all traffic between one pair of
/// addresses lands on one queue, whatever its ports: the article's NIC, which hashed
/// UDP over IPv4 by addresses only.
package struct FlowHash: Equatable, Sendable {
    /// The flow type.
    package var flow: FlowType
    /// The `RXH_*` bits.
    package var bits: UInt64

    /// Creates a hash description.
    package init(flow: FlowType, bits: UInt64) {
        self.flow = flow
        self.bits = bits
    }

    /// The fields in ethtool's words and order, with the `ethtool -N ... rx-flow-hash` letter of each.
    package static let fields: [(bit: UInt64, name: String, letter: Character)] = [
        (CMPPSLinux_RXH_L2DA, "L2DA", "m"),
        (CMPPSLinux_RXH_VLAN, "VLAN tag", "v"),
        (CMPPSLinux_RXH_L3_PROTO, "L3 proto", "t"),
        (CMPPSLinux_RXH_IP_SRC, "IP SA", "s"),
        (CMPPSLinux_RXH_IP_DST, "IP DA", "d"),
        (CMPPSLinux_RXH_L4_B_0_1, "L4 bytes 0 & 1 [TCP/UDP src port]", "f"),
        (CMPPSLinux_RXH_L4_B_2_3, "L4 bytes 2 & 3 [TCP/UDP dst port]", "n"),
    ]

    /// The hashed fields as ethtool prints them: `["IP SA", "IP DA"]`.
    package var fieldNames: [String] { Self.fields.filter { bits & $0.bit != 0 }.map(\.name) }

    /// The hashed fields as `ethtool -N` letters: `sd`, `sdfn`.
    package var letters: String { String(Self.fields.filter { bits & $0.bit != 0 }.map(\.letter)) }

    /// True when both source and destination ports are hashed.
    package var hashesPorts: Bool { bits & CMPPSLinux_RXH_L4_B_0_1 != 0 && bits & CMPPSLinux_RXH_L4_B_2_3 != 0 }

    /// True when the NIC discards these flows (`RXH_DISCARD`).
    package var discards: Bool { bits & CMPPSLinux_RXH_DISCARD != 0 }

    /// Parses the output of `ethtool -n IF rx-flow-hash TYPE`:
    /// `UDP over IPV4 flows use these fields for computing Hash flow key:` and one field per line.
    /// Returns nil when the text is not that output.
    package static func parse(_ text: String, flow: FlowType) -> FlowHash? {
        let lines = text.split(separator: "\n").map { trimmed($0) }.filter { !$0.isEmpty }
        guard let title = lines.first, title.hasPrefix(flow.ethtoolTitle + " flows") else { return nil }
        if title.contains("All matching flows discarded") { return FlowHash(flow: flow, bits: CMPPSLinux_RXH_DISCARD) }
        guard title.hasSuffix("use these fields for computing Hash flow key:") else { return nil }
        var bits: UInt64 = 0
        for line in lines.dropFirst() where line != "None" {
            guard let field = fields.first(where: { $0.name == line }) else { return nil }
            bits |= field.bit
        }
        return FlowHash(flow: flow, bits: bits)
    }
}
