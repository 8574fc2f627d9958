/// Numbers as text with a fixed number of decimals, like C's `%*.*f`, and
/// fractions as percentages: written once, here, the lowest module that prints
/// such numbers (doctor's findings), for every module above it (`Units.fixed`
/// and `Units.percent` in Reporting are these).
package enum DecimalText {
    /// `value` with exactly `decimals` digits after the point, right-aligned in
    /// `width` characters, like C's `%*.*f`: `fixed(0.352, decimals: 3, width: 7)` → `  0.352`.
    /// The last digit is rounded by `rounding` (half away from zero, as printf, unless told).
    package static func fixed(_ value: Double, decimals: Int, width: Int = 0,
                              rounding: FloatingPointRoundingRule = .toNearestOrAwayFromZero) -> String {
        text(value, decimals: decimals, shift: 0, width: width, rounding: rounding)
    }

    /// `fraction` as a percentage with exactly `decimals` digits after the point:
    /// `percent(0.1234, decimals: 1)` → `12.3%`. The fraction is scaled once
    /// (× 10^(decimals + 2)), so that 0.29 rounded down reads 29.00%, not 28.99%.
    package static func percent(_ fraction: Double, decimals: Int,
                                rounding: FloatingPointRoundingRule = .toNearestOrAwayFromZero) -> String {
        text(fraction, decimals: decimals, shift: 2, width: 0, rounding: rounding) + "%"
    }

    /// `value` × 10^`shift` with `decimals` decimals: the value is multiplied by
    /// 10^(decimals + shift) and rounded once, then its digits are written out.
    private static func text(_ value: Double, decimals: Int, shift: Int, width: Int,
                             rounding: FloatingPointRoundingRule) -> String {
        var scale = 1.0
        for _ in 0..<(decimals + shift) { scale *= 10 }
        guard value.isFinite else { return String(repeating: " ", count: max(0, width - 3)) + "nan" }
        let negative = value < 0
        let scaled = (abs(value) * scale).rounded(rounding)
        var text: String
        if scaled >= 9.0e18 {
            // Too large for the fraction's digits; beyond 64 bits (an absurd rate from a
            // near-zero time, say) Swift's own spelling, `1e+20`, rather than a trap.
            let whole = abs(value) * (scale / Self.power(decimals))
            text = whole < 1.8e19 ? String(UInt64(whole)) : "\(whole)"
        } else {
            let units = UInt64(scaled)
            let divisor = UInt64(Self.power(decimals))
            text = String(units / divisor)
            if decimals > 0 {
                let fraction = String(units % divisor)
                text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
            }
        }
        if negative && text.contains(where: { $0 != "0" && $0 != "." }) { text = "-" + text }
        return text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    /// 10^`exponent`, as a Double.
    private static func power(_ exponent: Int) -> Double {
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}
