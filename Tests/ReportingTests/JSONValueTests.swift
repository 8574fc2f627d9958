import Testing
@testable import Reporting

/// The one JSON value every producer writes and the lab reads back.
@Suite struct JSONValueTests {
    @Test func stringsAreEscaped() {
        #expect(JSONValue.string("a\"b\\c\nd\u{1}é\t\r").rendered == "\"a\\\"b\\\\c\\nd\\u0001é\\t\\r\"")
    }

    @Test func objectsKeepTheirOrder() {
        #expect(JSONValue.object(["b": .ints([1, 2]), "a": .null, "c": .bool(true)]).rendered == #"{"b":[1,2],"a":null,"c":true}"#)
        var object: JSONObject = ["type": "ready"]
        object.append("z", 1)
        object.append(contentsOf: ["y": "two", "x": [1, "b"]])
        #expect(JSONValue.object(object).rendered == #"{"type":"ready","z":1,"y":"two","x":[1,"b"]}"#)
        #expect(JSONValue(parsing: #"{"z":1,"a":{"d":2,"c":3}}"#)?.rendered == #"{"z":1,"a":{"d":2,"c":3}}"#)
    }

    @Test func numbersInTheirForms() {
        #expect(JSONValue.fixed(2, places: 3).rendered == "2.000")
        #expect(JSONValue.fixed(114.56, places: 1).rendered == "114.6")
        #expect(JSONValue.fixed(-0.5, places: 2).rendered == "-0.50")
        #expect(JSONValue.fixed(.nan, places: 1).rendered == "null")
        #expect(JSONValue.fixed(.infinity, places: 3).rendered == "null")
        #expect(JSONValue.unsigned(.max).rendered == "18446744073709551615")
        #expect(JSONValue.int(-7).rendered == "-7")
        #expect(JSONValue.number(0.25).rendered == "0.25")
        #expect(JSONValue.number(3).rendered == "3")
        #expect(JSONValue.number(.nan).rendered == "null")
        #expect(JSONValue.optional(nil as Int?) { .int($0) }.rendered == "null")
        #expect(JSONValue.counters([UInt64(1), 2]).rendered == "[1,2]")
        #expect(JSONValue.strings(["a"]).rendered == #"["a"]"#)
    }

    @Test func writtenValuesReadBack() throws {
        let line = JSONValue.object(["count": .unsigned(12), "rate": .fixed(1.5, places: 3), "name": "x"]).rendered
        let value = try #require(JSONValue(parsing: line))
        #expect(value["count"]?.count == 12)
        #expect(value["rate"]?.double == 1.5)
        #expect(value["name"]?.string == "x")
        // Equal when written the same: the count read back equals the counter written.
        #expect(value["count"] == .unsigned(12))
        #expect(JSONValue.unsigned(.max).count == .max)
        #expect(JSONValue.int(-1).count == nil)
    }

    @Test func aDuplicateKeyReadsAsTheLastOne() {
        #expect(JSONValue(parsing: #"{"a":1,"a":2}"#)?["a"]?.count == 2)
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(JSONValue(parsing: deep) == nil)
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(JSONValue(parsing: fine) != nil)
        let objects = String(repeating: #"{"a":"#, count: 100_000) + "1" + String(repeating: "}", count: 100_000)
        #expect(JSONValue(parsing: objects) == nil)
    }
}
