import HostStats

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

    /// Parses a count: a whole number with an optional decimal suffix (`200k`,
    /// `1.5M`), exactly: in integers, not through a `Double`, so every count up
    /// to `UInt64.max` reads as written. Nil when it is not whole (`1.5`) or
    /// does not fit in 64 bits.
    package static func parseCount(_ text: String) -> UInt64? {
        guard let (number, scale) = split(text, scales: ["K": UInt64(1_000), "M": 1_000_000, "G": 1_000_000_000]),
              isPlainDecimal(number) else { return nil }
        var exponent = 0
        var power = scale
        while power > 1 { power /= 10; exponent += 1 }
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        // Zeros at the end of the fraction say nothing: 1.50k is 1.5k.
        var fraction = parts.count == 2 ? Substring(parts[1]) : ""
        while fraction.last == "0" { fraction.removeLast() }
        guard fraction.count <= exponent else { return nil }
        var value: UInt64 = 0
        for digit in (parts[0] + fraction).utf8 {
            let (tens, overflowed) = value.multipliedReportingOverflow(by: 10)
            let (sum, carried) = tens.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            guard !overflowed, !carried else { return nil }
            value = sum
        }
        for _ in 0..<(exponent - fraction.count) {
            let (tens, overflowed) = value.multipliedReportingOverflow(by: 10)
            guard !overflowed else { return nil }
            value = tens
        }
        return value
    }

    /// Parses seconds: a non-negative decimal number, optionally ending in `s`.
    package static func parseSeconds(_ text: String) -> Double? {
        let number = text.hasSuffix("s") ? String(text.dropLast()) : text
        guard isPlainDecimal(number), let value = Double(number), value.isFinite, value >= 0 else { return nil }
        return value
    }

    /// `seconds` in nanoseconds, rounded down and saturating: 0 for a negative
    /// value or NaN, `UInt64.max` beyond 584 years. Every time a flag gives in
    /// seconds becomes clock nanoseconds through here, so none can trap.
    @inlinable
    package static func nanoseconds(_ seconds: Double) -> UInt64 {
        saturating(seconds * 1e9)
    }

    /// `start` plus `seconds`, in clock nanoseconds, saturating at `UInt64.max`:
    /// a far deadline stays far instead of wrapping round into the past.
    @inlinable
    package static func deadline(_ start: UInt64, plusSeconds seconds: Double) -> UInt64 {
        let (sum, overflowed) = start.addingReportingOverflow(nanoseconds(seconds))
        return overflowed ? .max : sum
    }

    /// `value` rounded down to a `UInt64`, saturating: 0 for a negative value
    /// or NaN, `UInt64.max` from 2^64 up (where `UInt64(value)` would trap).
    @inlinable
    package static func saturating(_ value: Double) -> UInt64 {
        guard value > 0 else { return 0 }
        // 2^64 exactly: the first Double that does not fit.
        guard value < 18_446_744_073_709_551_616.0 else { return .max }
        return UInt64(value)
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
    /// `width` characters, like C's `%*.*f`: `fixed(0.352, 3, width: 7)` → `  0.352`
    /// (``DecimalText/fixed(_:decimals:width:rounding:)``, the one such formatter).
    package static func fixed(_ value: Double, decimals: Int, width: Int = 0) -> String {
        DecimalText.fixed(value, decimals: decimals, width: width)
    }

    /// `value` as a person writes it on a command line, with at most three
    /// decimals (or `maximumDecimals`) and no trailing zeros: `3`, `0.5`, `0.001`.
    package static func plain(_ value: Double, maximumDecimals: Int = 3) -> String {
        var text = fixed(value, decimals: maximumDecimals)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// A fraction as a percentage for losses: `0%`, `12.34%`, and four decimals
    /// below 0.1 % so a small loss keeps its digits (`0.0012%`); at most `100%`.
    package static func percent(_ fraction: Double) -> String {
        if fraction == 0 { return "0%" }
        return DecimalText.percent(min(fraction, 1), decimals: fraction < 0.001 ? 4 : 2)
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
