// JSONValue(parsing:), which reads the lines of mpps's children (lab, ndr): no trap
// and no deep recursion on any text, and what it renders reads back unchanged.
import Reporting

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = FuzzInput(data, size).text
    if let value = JSONValue(parsing: text) {
        let rendered = value.rendered
        let again = JSONValue(parsing: rendered)
        require(again != nil, "rendered JSON reads back: \(rendered)")
        require(again?.rendered == rendered, "rendering is stable: \(rendered)")
        _ = value["type"]?.string
        _ = value.count
        _ = value.double
        _ = value.array?.map(\.count)
    }
    // As PairTrial looks for a child's summary among its lines.
    if let summary = JSONValue.lastObject(ofType: "summary", in: text) {
        require(summary["type"]?.string == "summary", "lastObject returns an object of the type asked for")
    }
    return 0
}
