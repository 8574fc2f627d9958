/// The members of a JSON object, in the order they were added or read.
///
/// Order is kept because the lines are read by people and compared by tests
/// byte for byte: `{"type":"interval","elapsed":1.000,...}` must come out the
/// same every time. A dictionary literal keeps its order too:
/// `["type": "ready", "threads": 2]`.
package struct JSONObject: Sendable, ExpressibleByDictionaryLiteral {
    /// The members, first to last.
    package private(set) var members: [(key: String, value: JSONValue)]

    /// An object with `members` in this order.
    package init(_ members: [(String, JSONValue)] = []) {
        self.members = members.map { (key: $0.0, value: $0.1) }
    }

    /// An object written as a literal, in the literal's order.
    package init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = elements.map { (key: $0.0, value: $0.1) }
    }

    /// The value of `key`; when a key occurs more than once (the reader
    /// accepts that), the last one, as most JSON readers do.
    package subscript(key: String) -> JSONValue? {
        members.last { $0.key == key }?.value
    }

    /// Whether the object has no members.
    package var isEmpty: Bool { members.isEmpty }

    /// Adds `value` under `key` after the members already there.
    package mutating func append(_ key: String, _ value: JSONValue) {
        members.append((key: key, value: value))
    }

    /// Adds `other`'s members, in order, after the members already there.
    package mutating func append(contentsOf other: JSONObject) {
        members.append(contentsOf: other.members)
    }
}
