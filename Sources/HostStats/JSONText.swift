/// A JSON value, written by hand so that HostStats needs nothing beyond the standard library.
package indirect enum JSONText: Equatable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A whole number.
    case int(Int)
    /// A counter.
    case unsigned(UInt64)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONText])
    /// An object; keys keep their order.
    case object([(String, JSONText)])

    /// An optional value, `null` when nil.
    package static func optional<T>(_ value: T?, _ make: (T) -> JSONText) -> JSONText {
        value.map(make) ?? .null
    }

    /// An array of whole numbers.
    package static func ints<C: Collection>(_ values: C) -> JSONText where C.Element == Int {
        .array(values.map { .int($0) })
    }

    /// The compact JSON text.
    package var rendered: String {
        var output = ""
        write(to: &output)
        return output
    }

    /// Appends the compact JSON text to `output`.
    package func write(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .int(let value): output += String(value)
        case .unsigned(let value): output += String(value)
        case .string(let value): JSONText.quote(value, into: &output)
        case .array(let values):
            output += "["
            for (index, value) in values.enumerated() {
                if index > 0 { output += "," }
                value.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { output += "," }
                JSONText.quote(member.0, into: &output)
                output += ":"
                member.1.write(to: &output)
            }
            output += "}"
        }
    }

    /// Writes `text` as a JSON string: quotes, backslashes and control characters escaped.
    static func quote(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    package static func == (lhs: JSONText, rhs: JSONText) -> Bool { lhs.rendered == rhs.rendered }
}
