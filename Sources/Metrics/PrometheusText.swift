/// Writes the Prometheus text exposition format (version 0.0.4): a `# HELP`
/// and a `# TYPE` line per family, then its samples, each
/// `name{label="value",...} value`. Escapes what the format says to escape.
package struct PrometheusText {
    /// The text so far.
    package private(set) var text = ""

    /// An empty page.
    package init() {}

    /// The kinds of family used here.
    package enum Kind: String {
        case counter, gauge, histogram
    }

    /// Starts a family: its HELP and TYPE lines.
    package mutating func family(_ name: String, _ kind: Kind, help: String) {
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    /// One sample.
    package mutating func sample(_ name: String, labels: KeyValuePairs<String, String> = [:], _ value: String) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.key)=\"\(Self.escapeLabel($0.value))\"" }.joined(separator: ",") + "}"
        }
        text += " \(value)\n"
    }

    /// One sample with an integer value.
    package mutating func sample(_ name: String, labels: KeyValuePairs<String, String> = [:], _ value: UInt64) {
        sample(name, labels: labels, String(value))
    }

    /// A label value as the format writes it: backslash, double quote and newline escaped.
    package static func escapeLabel(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// HELP text as the format writes it: backslash and newline escaped.
    package static func escapeHelp(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Nanoseconds as seconds, exactly, in decimal: 1023 → `0.000001023`,
    /// 2_500_000_000 → `2.5`, 0 → `0`. (Prometheus wants base units; a
    /// Double would round.)
    package static func seconds(nanoseconds: UInt64) -> String {
        let whole = nanoseconds / 1_000_000_000
        let fraction = nanoseconds % 1_000_000_000
        if fraction == 0 { return String(whole) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 9 - digits.count) + digits
        while digits.last == "0" { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}
