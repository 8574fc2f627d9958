#if canImport(Glibc)
import Glibc
#endif
import Reporting

/// How an axis writes its values.
package enum AxisUnit: Sendable, Equatable {
    /// A decimal SI prefix and then `suffix`: `1.5M/s`, `200k`, `12`.
    case si(suffix: String)
    /// A fraction written as a percentage: 0.25 → `25%`.
    case percent
    /// A plain number and then `suffix`: `2.5 s`.
    case plain(suffix: String)
}

/// The values along one axis: from a round bottom to a round top in round
/// steps of 1, 2 or 5 × 10^n, so a reader can interpolate at a glance.
package struct AxisScale: Sendable, Equatable {
    /// The lowest value the axis shows (a tick).
    package var bottom: Double
    /// The highest value the axis shows (a tick).
    package var top: Double
    /// The distance between ticks.
    package var step: Double
    /// The ticks, bottom to top.
    package var ticks: [Double]

    /// The largest magnitude an axis accepts; beyond it values are clamped, so
    /// `top` and the ticks stay finite whatever a hostile input claims.
    static let largest = 1e300

    /// A scale covering `low...high` with about `ticks` steps (at most about
    /// twice as many). The range always includes 0 when both ends are on the
    /// same side of it, because rates and counts are read from zero. An empty
    /// or non-finite range becomes 0...1.
    package static func covering(_ low: Double, _ high: Double, ticks target: Int = 5) -> AxisScale {
        var low = clamp(low), high = clamp(high)
        if low > high { swap(&low, &high) }
        low = min(low, 0)
        high = max(high, 0)
        if high - low <= 0 { high = low + 1 }
        let (mantissa, exponent) = niceStep((high - low) / Double(max(1, target)))
        let step = value(mantissa, exponent)
        let first = (low / step).rounded(.down)
        let last = (high / step).rounded(.up)
        // At most a few dozen ticks: the step is at least a fifth of the range over `target`.
        let indices = Int(first)...Int(last)
        let ticks = indices.map { value($0 * mantissa, exponent) }
        return AxisScale(bottom: ticks.first ?? 0, top: ticks.last ?? 1, step: step, ticks: ticks)
    }

    /// The smallest 1, 2 or 5 × 10^n at least `raw`, as (mantissa, n).
    static func niceStep(_ raw: Double) -> (Int, Int) {
        guard raw.isFinite, raw > 0 else { return (1, 0) }
        var exponent = Int(log10(raw).rounded(.down))
        let fraction = raw / value(1, exponent)
        let mantissa: Int
        if fraction <= 1.000_000_001 { mantissa = 1 } else if fraction <= 2.000_000_001 { mantissa = 2 } else if fraction <= 5.000_000_001 { mantissa = 5 } else {
            mantissa = 1
            exponent += 1
        }
        return (mantissa, exponent)
    }

    /// `whole × 10^exponent`, computed so that 3 × 10^-1 is exactly the double nearest 0.3.
    static func value(_ whole: Int, _ exponent: Int) -> Double {
        exponent >= 0 ? Double(whole) * pow(10, Double(exponent)) : Double(whole) / pow(10, Double(-exponent))
    }

    /// `value` within ±``largest``; NaN is 0.
    static func clamp(_ value: Double) -> Double {
        guard value.isFinite else { return value.isNaN ? 0 : (value > 0 ? largest : -largest) }
        return max(-largest, min(largest, value))
    }

    /// Where `value` falls between `from` (at ``bottom``) and `to` (at ``top``),
    /// clamped to that span: pixel coordinates for a point or a bar.
    package func position(of value: Double, from: Double, to: Double) -> Double {
        let span = top - bottom
        guard span > 0, value.isFinite else { return from }
        let fraction = max(0, min(1, (value - bottom) / span))
        return from + (to - from) * fraction
    }

    /// The label of `value` on this axis, with as many decimals as the step needs:
    /// `0.5M/s`, `1M/s`, `1.5M/s`; `25%`; `2.5 s`.
    package func label(_ value: Double, unit: AxisUnit) -> String {
        switch unit {
        case .si(let suffix) where value == 0:
            return "0" + suffix
        case .si(let suffix):
            let magnitude = max(abs(top), abs(bottom))
            let (scale, prefix) = Self.prefix(for: magnitude)
            return Self.number(value / scale, step: step / scale) + prefix + suffix
        case .percent:
            return Self.number(value * 100, step: step * 100) + "%"
        case .plain(let suffix):
            return Self.number(value, step: step) + suffix
        }
    }

    /// The SI prefix for values up to `magnitude`: k, M, G, T, or none.
    static func prefix(for magnitude: Double) -> (Double, String) {
        if magnitude >= 1e12 { return (1e12, "T") }
        if magnitude >= 1e9 { return (1e9, "G") }
        if magnitude >= 1e6 { return (1e6, "M") }
        if magnitude >= 1e3 { return (1e3, "k") }
        return (1, "")
    }

    /// `value` with the decimals a step of `step` needs (0.5 → 1 decimal, 0.02 → 2).
    static func number(_ value: Double, step: Double) -> String {
        guard step.isFinite, step > 0 else { return Units.fixed(value, decimals: 0) }
        let decimals = max(0, min(12, -Int((log10(step) + 1e-9).rounded(.down))))
        var text = Units.fixed(value, decimals: decimals)
        if text == "-0" || (text.hasPrefix("-") && !text.contains(where: { "123456789".contains($0) })) { text.removeFirst() }
        return text
    }

    /// A value for people, with an SI prefix and three significant digits or so:
    /// `1.23M/s`, `950/s`, `12.3k`. Used in legends and notes, not on axes.
    package static func short(_ value: Double, suffix: String = "") -> String {
        guard value.isFinite else { return "?" + suffix }
        let (scale, prefix) = prefix(for: abs(value))
        let scaled = value / scale
        let decimals = abs(scaled) >= 100 || scale == 1 && scaled == scaled.rounded() ? 0 : (abs(scaled) >= 10 ? 1 : 2)
        return Units.fixed(scaled, decimals: decimals) + prefix + suffix
    }
}
