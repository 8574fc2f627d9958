extension SocketAddress {
    /// Parses a target that may name several IPv4 addresses at once:
    /// `127.0.0.1-20:4321` is 127.0.0.1, 127.0.0.2, … 127.0.0.20, each with port
    /// 4321, in that order (the range runs over the last octet, as the article's
    /// 20 receive IPs do). Any other text is one address, read by ``init(parsing:)``.
    ///
    /// Ranges are IPv4 only; a bracketed IPv6 host with a `-` is refused with a
    /// message that says so. A host name with a `-` in it (`my-host:4321`) is a
    /// name, not a range: only a dotted quad before the `-` starts a range.
    public static func parseList(_ text: String) throws(AddressError) -> [SocketAddress] {
        if text.hasPrefix("[") {
            if let close = text.firstIndex(of: "]"), text[..<close].contains("-") {
                throw AddressError(description: "address ranges are IPv4 only, and '\(text)' is IPv6: list IPv6 targets one by one, as in [::1]:4321")
            }
            return [try SocketAddress(parsing: text)]
        }
        guard let colon = text.lastIndex(of: ":"), let dash = text[..<colon].lastIndex(of: "-"),
              let first = numericIPv4(String(text[..<dash])) else {
            return [try SocketAddress(parsing: text)]
        }
        let (_, port) = try split(text)
        let endText = text[text.index(after: dash)..<colon]
        let start = first & 0xff
        let example = "as in \(first >> 24).\(first >> 16 & 0xff).\(first >> 8 & 0xff).1-20:\(port)"
        guard !endText.isEmpty, endText.count <= 6, endText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let end = UInt32(endText) else {
            throw AddressError(description: "bad range end '\(endText)' in '\(text)': a range ends at a last octet from 0 to 255, \(example)")
        }
        guard end <= 255 else {
            throw AddressError(description: "range end \(end) in '\(text)' is above 255: a range runs over the last octet of an IPv4 address, \(example)")
        }
        guard end >= start else {
            let prefix = first & 0xffff_ff00
            throw AddressError(description: "reversed range in '\(text)': it ends at \(end), below where it starts (\(start)): "
                + "write \(prefix >> 24).\(prefix >> 16 & 0xff).\(prefix >> 8 & 0xff).\(end)-\(start):\(port)")
        }
        return (start...end).map { SocketAddress(storage: .inet(host: first & 0xffff_ff00 | $0, port: port)) }
    }
}
