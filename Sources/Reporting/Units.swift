/// Parsing and formatting of the quantities on mpps's command lines:
/// sizes (`4M` = 4 MiB), rates (`1.5M` = 1,500,000 per second), seconds.
package enum Units {
    /// Parses a byte size: a whole number with an optional binary suffix
    /// `K` (KiB), `M` (MiB) or `G` (GiB), case-insensitive: `256K` → 262144.
    package static func parseSize(_ text: String) -> Int? {
        guard let (number, scale) = split(text, scales: ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]),
              let value = Int(number), value >= 0 else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: Int(scale))
        return overflow ? nil : product
    }

    /// Parses a rate per second: a decimal number with an optional decimal
    /// suffix `k` (thousand), `M` (million) or `G` (billion), case-insensitive:
    /// `500k` → 500000, `1.5M` → 1500000.
    package static func parseRate(_ text: String) -> Double? {
        guard let (number, scale) = split(text, scales: ["K": 1e3, "M": 1e6, "G": 1e9]),
              isPlainDecimal(number), let value = Double(number), value.isFinite else { return nil }
        return value * scale
    }

    /// Parses a count: a whole number with an optional decimal suffix (`200k`).
    package static func parseCount(_ text: String) -> UInt64? {
        guard let rate = parseRate(text), rate >= 0, rate < 1.8e19, rate == rate.rounded() else { return nil }
        return UInt64(rate)
    }

    /// Parses seconds: a non-negative decimal number, optionally ending in `s`.
    package static func parseSeconds(_ text: String) -> Double? {
        let number = text.hasSuffix("s") ? String(text.dropLast()) : text
        guard isPlainDecimal(number), let value = Double(number), value.isFinite, value >= 0 else { return nil }
        return value
    }

    private static func split<T>(_ text: String, scales: [Character: T]) -> (String, T)? where T: ExpressibleByIntegerLiteral {
        guard let last = text.last else { return nil }
        if let scale = scales[Character(last.uppercased())] {
            return (String(text.dropLast()), scale)
        }
        return (text, 1)
    }

    /// Digits with at most one decimal point: no sign, exponent, `inf` or `nan`.
    private static func isPlainDecimal(_ text: String) -> Bool {
        var digits = 0
        var points = 0
        for character in text {
            if character == "." { points += 1 } else if character.isASCII && character.isNumber { digits += 1 } else { return false }
        }
        return digits > 0 && points <= 1
    }

    /// `value` with exactly `decimals` digits after the point, right-aligned in
    /// `width` characters, like C's `%*.*f`: `fixed(0.352, 3, width: 7)` → `  0.352`.
    package static func fixed(_ value: Double, decimals: Int, width: Int = 0) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        guard value.isFinite else { return String(repeating: " ", count: max(0, width - 3)) + "nan" }
        let negative = value < 0
        let scaled = (abs(value) * scale).rounded()
        var text: String
        if scaled >= 9.0e18 {
            text = String(Int64(abs(value)))
        } else {
            let units = UInt64(scaled)
            let divisor = UInt64(scale)
            text = String(units / divisor)
            if decimals > 0 {
                let fraction = String(units % divisor)
                text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
            }
        }
        if negative && text.contains(where: { $0 != "0" && $0 != "." }) { text = "-" + text }
        return text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    /// A short rate for people: `123.8k`, `1.50M`, `950`.
    package static func shortRate(_ value: Double) -> String {
        if value >= 1e6 { return fixed(value / 1e6, decimals: 2) + "M" }
        if value >= 1e3 { return fixed(value / 1e3, decimals: 1) + "k" }
        return fixed(value, decimals: 0)
    }

    /// A count for people: `950`, `12.3k`, `1.25M`.
    package static func count(_ value: UInt64) -> String {
        shortRate(Double(value))
    }
}
