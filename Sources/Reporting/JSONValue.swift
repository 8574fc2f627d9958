/// A JSON value, as `mpps lab` and `mpps ndr` read the summary lines their
/// child `mpps recv --json` and `mpps send --json` print.
///
/// A small reader of our own rather than Foundation's: the package links no
/// Foundation, and mpps's lines are flat objects of numbers, strings and arrays.
package enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses one JSON document (a line of mpps output); nil if it is not valid JSON.
    package init?(parsing text: String) {
        var reader = JSONReader(Array(text.utf8))
        guard let value = reader.value(), reader.atEnd else { return nil }
        self = value
    }

    /// The member `key` of an object; nil for a missing key or a value that is not an object.
    package subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The number, if this is one.
    package var double: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The number as a count, if this is a whole non-negative number.
    package var count: UInt64? {
        guard let value = double, value >= 0, value < 1.8e19, value == value.rounded() else { return nil }
        return UInt64(value)
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

    /// This value as compact JSON text (object keys sorted), for passing a value through.
    package var rendered: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let value):
            if value == value.rounded(), abs(value) < 9e15 { return String(Int64(value)) }
            return "\(value)"
        case .string(let value): return JSONSink.jsonString(value)
        case .array(let values): return "[" + values.map(\.rendered).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { JSONSink.jsonString($0) + ":" + members[$0]!.rendered }
                .joined(separator: ",") + "}"
        }
    }

    /// The last line of `output` that is a JSON object with `"type":type`.
    package static func lastObject(ofType type: String, in output: String) -> JSONValue? {
        for line in output.split(separator: "\n").reversed() {
            guard line.hasPrefix("{"), let value = JSONValue(parsing: String(line)) else { continue }
            if value["type"]?.string == type { return value }
        }
        return nil
    }
}
