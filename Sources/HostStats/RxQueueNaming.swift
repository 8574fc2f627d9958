/// The spellings drivers use for per-RX-queue packet counters in `ethtool -S`.
package enum RxQueueNaming {
    /// One spelling: a prefix, the queue number, and one or more suffixes whose values add up.
    package struct Scheme: Sendable {
        /// How the scheme is shown: `rx-N.rx_packets`.
        package let pattern: String
        /// The text before the queue number.
        package let prefix: String
        /// The texts after it; several are summed (unicast + multicast + broadcast).
        package let suffixes: [String]
        /// Drivers known to use it.
        package let drivers: String

        /// Creates a scheme.
        package init(_ prefix: String, _ suffixes: [String], drivers: String) {
            self.prefix = prefix
            self.suffixes = suffixes
            self.drivers = drivers
            self.pattern = prefix + "N" + suffixes[0]
        }
    }

    /// The schemes, tried in this order; the first that matches any name wins.
    /// veth counts per queue only what its NAPI path sees (`xdp_packets`, with GRO or XDP on),
    /// so that spelling comes last.
    package static let schemes: [Scheme] = [
        Scheme("rx-", [".rx_packets"], drivers: "sfc (Solarflare), i40e"),
        Scheme("rx-", [".packets"], drivers: "i40e (older)"),
        Scheme("rx_queue_", ["_packets"], drivers: "ixgbe, igb, ice, virtio_net, hv_netvsc, ifb"),
        Scheme("rx", ["_packets"], drivers: "mlx5_core, mlx4_en"),
        Scheme("queue_", ["_rx_packets"], drivers: "various"),
        Scheme("queue_", ["_rx_cnt"], drivers: "ena"),
        Scheme("[", ["]: rx_ucast_packets", "]: rx_mcast_packets", "]: rx_bcast_packets"], drivers: "bnxt_en"),
        Scheme("rx_queue_", ["_xdp_packets"], drivers: "veth (NAPI mode)"),
    ]

    /// Finds per-queue packet counts in `statistics` under the first scheme that matches.
    package static func rxQueuePackets(in statistics: EthtoolStatistics) -> RxQueuePackets? {
        for scheme in schemes {
            var counts: [Int: UInt64] = [:]
            for (name, value) in zip(statistics.names, statistics.values) {
                guard name.hasPrefix(scheme.prefix) else { continue }
                for suffix in scheme.suffixes where name.hasSuffix(suffix) && name.count > scheme.prefix.count + suffix.count {
                    let digits = name.dropFirst(scheme.prefix.count).dropLast(suffix.count)
                    guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let queue = Int(digits) else { continue }
                    // Saturating: several counters add up per queue, and their values come from the driver.
                    let (sum, overflow) = counts[queue, default: 0].addingReportingOverflow(value)
                    counts[queue] = overflow ? .max : sum
                }
            }
            if !counts.isEmpty {
                return RxQueuePackets(scheme: scheme.pattern, queues: counts.keys.sorted().map {
                    RxQueuePackets.QueuePackets(queue: $0, packets: counts[$0]!)
                })
            }
        }
        return nil
    }
}
