/// A JSON value: every JSON line mpps writes is built as one (`recv`, `send`,
/// `demo`, `doctor`, `lab`, `ndr`) and written by ``rendered``; and `mpps lab`
/// and `mpps ndr` read their children's lines back into one.
///
/// One small type of our own rather than Foundation's: the package links no
/// Foundation. Objects keep their keys in the order they were written (see
/// ``JSONObject``), so every line reads the same way each time, `type` first.
/// Numbers come in the forms the report lines need: a counter written exactly,
/// a measured value with a fixed number of decimals (`"elapsed":2.000`), or a
/// number as read from text.
package enum JSONValue: Sendable, Equatable, CustomStringConvertible {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number as read from text; written as a whole number when it is one, else in Swift's shortest form.
    case number(Double)
    /// A whole number, written exactly.
    case int(Int)
    /// A counter, written exactly (all 64 bits).
    case unsigned(UInt64)
    /// A measured value written with exactly `places` decimals, like C's `%.*f`
    /// (`fixed(2, places: 3)` is `2.000`); `null` when it is not finite.
    case fixed(Double, places: Int)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object; keys keep their order.
    case object(JSONObject)

    /// Parses one JSON document (a line of mpps output); nil if it is not valid JSON.
    package init?(parsing text: String) {
        var reader = JSONReader(Array(text.utf8))
        guard let value = reader.value(), reader.atEnd else { return nil }
        self = value
    }

    // MARK: Reading

    /// The member `key` of an object; nil for a missing key or a value that is not an object.
    package subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The number, if this is one (of any form).
    package var double: Double? {
        switch self {
        case .number(let value), .fixed(let value, _): return value
        case .int(let value): return Double(value)
        case .unsigned(let value): return Double(value)
        default: return nil
        }
    }

    /// The number as a count, if this is a whole non-negative number.
    package var count: UInt64? {
        switch self {
        case .unsigned(let value): return value
        case .int(let value): return value >= 0 ? UInt64(value) : nil
        default:
            guard let value = double, value >= 0, value < 1.8e19, value == value.rounded() else { return nil }
            return UInt64(value)
        }
    }

    /// The string, if this is one.
    package var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an array.
    package var array: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    /// The last line of `output` that is a JSON object with `"type":type`.
    package static func lastObject(ofType type: String, in output: String) -> JSONValue? {
        for line in output.split(separator: "\n").reversed() {
            guard line.hasPrefix("{"), let value = JSONValue(parsing: String(line)) else { continue }
            if value["type"]?.string == type { return value }
        }
        return nil
    }

    // MARK: Building

    /// An array of whole numbers (CPU lists, say).
    package static func ints<C: Collection>(_ values: C) -> JSONValue where C.Element == Int {
        .array(values.map { .int($0) })
    }

    /// An array of counters.
    package static func counters<C: Collection>(_ values: C) -> JSONValue where C.Element == UInt64 {
        .array(values.map { .unsigned($0) })
    }

    /// An array of strings.
    package static func strings<C: Collection>(_ values: C) -> JSONValue where C.Element == String {
        .array(values.map { .string($0) })
    }

    /// `make(value)`, or `null` when `value` is nil: a key that is always there, with or without a value.
    package static func optional<T>(_ value: T?, _ make: (T) -> JSONValue) -> JSONValue {
        value.map(make) ?? .null
    }

    // MARK: Writing

    /// This value as compact JSON text: one line, no spaces, keys in order.
    package var rendered: String {
        var output = ""
        write(to: &output)
        return output
    }

    /// ``rendered``, so a value prints as its JSON.
    package var description: String { rendered }

    /// Appends the compact JSON text to `output`.
    package func write(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let value):
            if !value.isFinite {
                output += "null"
            } else if value == value.rounded(), abs(value) < 9e15 {
                output += String(Int64(value))
            } else {
                output += "\(value)"
            }
        case .int(let value): output += String(value)
        case .unsigned(let value): output += String(value)
        case .fixed(let value, let places):
            // JSON has no NaN or infinity: a rate over no time is unknown, not a number.
            output += value.isFinite ? Units.fixed(value, decimals: places) : "null"
        case .string(let value): Self.quote(value, into: &output)
        case .array(let values):
            output += "["
            for (index, value) in values.enumerated() {
                if index > 0 { output += "," }
                value.write(to: &output)
            }
            output += "]"
        case .object(let object):
            output += "{"
            for (index, member) in object.members.enumerated() {
                if index > 0 { output += "," }
                Self.quote(member.key, into: &output)
                output += ":"
                member.value.write(to: &output)
            }
            output += "}"
        }
    }

    /// Writes `text` as a JSON string: quotes, backslashes and control characters escaped,
    /// everything else (UTF-8 included) as it is.
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

    /// Two values are equal when they write the same text: a count read back from
    /// a line equals the counter it was written from; key order matters.
    package static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.rendered == rhs.rendered }
}

/// `"text"` in a builder is `.string("text")`.
extension JSONValue: ExpressibleByStringLiteral {
    /// A string value.
    package init(stringLiteral value: String) { self = .string(value) }
}

/// `3` in a builder is `.int(3)`.
extension JSONValue: ExpressibleByIntegerLiteral {
    /// A whole number.
    package init(integerLiteral value: Int) { self = .int(value) }
}

/// `true` in a builder is `.bool(true)`.
extension JSONValue: ExpressibleByBooleanLiteral {
    /// A Boolean.
    package init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// `["key": value]` in a builder is an object, keys in the literal's order.
extension JSONValue: ExpressibleByDictionaryLiteral {
    /// An object.
    package init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements))
    }
}

/// `[a, b]` in a builder is an array.
extension JSONValue: ExpressibleByArrayLiteral {
    /// An array.
    package init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}
