/// A NIC's channels (`ethtool -l IF`, `ETHTOOL_GCHANNELS`): the queue sets the driver
/// runs, current and maximum. A "combined" channel is an RX queue and a TX queue
/// sharing one interrupt.
package struct Channels: Equatable, Sendable {
    /// Pre-set maximum of RX-only channels.
    package var maxReceive: Int
    /// Pre-set maximum of TX-only channels.
    package var maxTransmit: Int
    /// Pre-set maximum of other channels (link interrupts, ...).
    package var maxOther: Int
    /// Pre-set maximum of combined channels.
    package var maxCombined: Int
    /// Current RX-only channels.
    package var receive: Int
    /// Current TX-only channels.
    package var transmit: Int
    /// Current other channels.
    package var other: Int
    /// Current combined channels.
    package var combined: Int

    /// Creates channel counts.
    package init(maxReceive: Int = 0, maxTransmit: Int = 0, maxOther: Int = 0, maxCombined: Int = 0,
                receive: Int = 0, transmit: Int = 0, other: Int = 0, combined: Int = 0) {
        self.maxReceive = maxReceive
        self.maxTransmit = maxTransmit
        self.maxOther = maxOther
        self.maxCombined = maxCombined
        self.receive = receive
        self.transmit = transmit
        self.other = other
        self.combined = combined
    }

    /// Channels that receive: RX-only plus combined.
    package var receiving: Int { receive + combined }

    /// The most receiving channels the driver allows.
    package var maxReceiving: Int { maxReceive + maxCombined }

    /// Parses the output of `ethtool -l IF`: `Pre-set maximums:` and `Current hardware settings:`
    /// sections of `RX:`, `TX:`, `Other:`, `Combined:` (`n/a` reads as 0). Nil when either section is missing
    /// or a count is not a number from 0 to 2³²−1.
    package static func parse(_ text: String) -> Channels? {
        var channels = Channels()
        var section = 0  // 1: maximums, 2: current
        var seen = Set<Int>()
        for line in text.split(separator: "\n") {
            let body = trimmed(line)
            if body.hasPrefix("Pre-set maximums") { section = 1; seen.insert(1); continue }
            if body.hasPrefix("Current hardware settings") { section = 2; seen.insert(2); continue }
            guard section != 0, let colon = body.firstIndex(of: ":") else { continue }
            let key = body[..<colon]
            let text = trimmed(body[body.index(after: colon)...])
            let value: Int
            // The kernel's counts are 32-bit unsigned (struct ethtool_channels): a sum of two always fits an Int.
            if text == "n/a" { value = 0 } else if let number = UInt32(text) { value = Int(number) } else { return nil }
            switch (section, key) {
            case (1, "RX"): channels.maxReceive = value
            case (1, "TX"): channels.maxTransmit = value
            case (1, "Other"): channels.maxOther = value
            case (1, "Combined"): channels.maxCombined = value
            case (2, "RX"): channels.receive = value
            case (2, "TX"): channels.transmit = value
            case (2, "Other"): channels.other = value
            case (2, "Combined"): channels.combined = value
            default: continue
            }
        }
        return seen.count == 2 ? channels : nil
    }
}
