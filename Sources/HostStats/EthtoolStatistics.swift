/// A driver's statistics as `ethtool -S IF` shows them: names and values, in the driver's order.
///
/// Names differ from driver to driver; ``rxQueuePackets`` and ``nicDrops`` find the
/// per-queue packet counts and the NIC's drop counters under their many spellings.
package struct EthtoolStatistics: Equatable, Sendable {
    /// The interface name.
    package var interface: String
    /// Statistic names, in the driver's order.
    package var names: [String]
    /// Values, one per name.
    package var values: [UInt64]

    /// Creates statistics; `values` has one element per name.
    package init(interface: String, names: [String], values: [UInt64]) {
        precondition(names.count == values.count, "one value per name")
        self.interface = interface
        self.names = names
        self.values = values
    }

    /// The value of a statistic, nil when the driver does not report it.
    package subscript(_ name: String) -> UInt64? {
        names.firstIndex(of: name).map { values[$0] }
    }

    /// Name and value pairs, in the driver's order.
    package var entries: [(name: String, value: UInt64)] {
        Array(zip(names, values))
    }

    /// Parses the output of `ethtool -S IF`: a `NIC statistics:` line, then `name: value` lines.
    /// Names may contain spaces and colons (`[0]: rx_ucast_packets`); the value is after the last `": "`.
    /// Returns nil when a line has no value.
    package static func parse(_ text: String, interface: String) -> EthtoolStatistics? {
        var names: [String] = []
        var values: [UInt64] = []
        for line in text.split(separator: "\n") {
            let body = trimmed(line)
            if body.isEmpty || body.hasSuffix("statistics:") { continue }
            guard let colon = lastSeparator(in: body),
                  let value = UInt64(trimmed(body[body.index(colon, offsetBy: 2)...])) else { return nil }
            names.append(trimmed(body[..<colon]))
            values.append(value)
        }
        return EthtoolStatistics(interface: interface, names: names, values: values)
    }

    /// The index of the last `": "` in `text`.
    private static func lastSeparator(in text: String) -> String.Index? {
        var index = text.endIndex
        while index > text.startIndex {
            index = text.index(before: index)
            if text[index] == ":", text.index(after: index) < text.endIndex, text[text.index(after: index)] == " " { return index }
        }
        return nil
    }

    /// Each statistic's growth since `earlier`, matched by name; statistics that shrank
    /// (the driver was reset) give 0, and ones `earlier` lacks keep their value.
    package func since(_ earlier: EthtoolStatistics) -> EthtoolStatistics {
        var previous: [String: UInt64] = [:]
        if earlier.names != names {
            for (name, value) in zip(earlier.names, earlier.values) where previous[name] == nil { previous[name] = value }
        }
        var deltas: [UInt64] = []
        deltas.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            let before = earlier.names == names ? earlier.values[index] : (previous[names[index]] ?? 0)
            deltas.append(value >= before ? value - before : 0)
        }
        return EthtoolStatistics(interface: interface, names: names, values: deltas)
    }

    /// Packets received per RX queue, found by ``RxQueueNaming``; nil when no naming scheme matches.
    package var rxQueuePackets: RxQueuePackets? { RxQueueNaming.rxQueuePackets(in: self) }

    /// The NIC-level drop counters this driver reports (``NICDropCounter/known``), in that list's order.
    package var nicDrops: [(counter: NICDropCounter, value: UInt64)] {
        NICDropCounter.known.compactMap { counter in self[counter.name].map { (counter, $0) } }
    }
}

/// Packets per RX queue from a driver's ethtool statistics.
package struct RxQueuePackets: Equatable, Sendable {
    /// The naming scheme that matched, e.g. `rx-N.rx_packets`.
    package var scheme: String
    /// Packets per queue index, sorted by queue.
    package var queues: [QueuePackets]

    /// One queue's count.
    package struct QueuePackets: Equatable, Sendable {
        /// The RX queue index.
        package var queue: Int
        /// Packets the driver counted on it.
        package var packets: UInt64

        /// Creates a count.
        package init(queue: Int, packets: UInt64) {
            self.queue = queue
            self.packets = packets
        }
    }

    /// Creates counts.
    package init(scheme: String, queues: [QueuePackets]) {
        self.scheme = scheme
        self.queues = queues
    }

    /// The count of one queue, nil when the driver does not list it.
    package subscript(queue queue: Int) -> UInt64? { queues.first { $0.queue == queue }?.packets }

    /// The sum over all queues.
    package var total: UInt64 { queues.reduce(0) { $0 + $1.packets } }
}

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
                    counts[queue, default: 0] += value
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

/// A NIC-level counter of packets the device or driver received but could not deliver.
package struct NICDropCounter: Equatable, Sendable {
    /// The name in `ethtool -S`.
    package let name: String
    /// What it counts, for a person.
    package let meaning: String

    /// Creates a counter description.
    package init(_ name: String, _ meaning: String) {
        self.name = name
        self.meaning = meaning
    }

    /// The drop counters worth watching, with what each means.
    package static let known: [NICDropCounter] = [
        NICDropCounter("rx_nodesc_drop_cnt", "Solarflare: no free RX descriptor, the queue's CPU did not keep up"),
        NICDropCounter("rx_out_of_buffer", "mlx5: no receive buffer posted, the queue's CPU did not keep up"),
        NICDropCounter("rx_discards_phy", "mlx5: dropped at the port for lack of buffer"),
        NICDropCounter("rx_no_buffer_count", "igb/e1000: no receive buffer"),
        NICDropCounter("rx_missed_errors", "the NIC's receive FIFO overflowed"),
        NICDropCounter("rx_fifo_errors", "the NIC's receive FIFO overflowed"),
        NICDropCounter("rx_over_errors", "receive ring overrun"),
        NICDropCounter("port.rx_dropped", "i40e: dropped at the port"),
        NICDropCounter("rx_dropped", "dropped by the driver"),
        NICDropCounter("rx_drops", "dropped by the driver"),
    ]
}
