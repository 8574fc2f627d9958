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
