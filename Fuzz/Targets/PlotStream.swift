// What `mpps plot` does with a saved --json stream: PlotStream reads the bytes (in
// chunks of a size the first byte chooses, as a file arrives), gathers a recv/send
// run, a lab or an ndr search, and the figure renders as SVG. No trap on any input,
// and every '<' and '>' of the SVG is markup: text from the input is always escaped.
import Plots

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let (selector, rest) = FuzzInput(data, size).selectorAndRest else { return 0 }
    let chunk = Int(selector) + 1
    var stream = PlotStream()
    do throws(PlotInputError) {
        var start = 0
        while start < rest.bytes.count {
            let end = min(rest.bytes.count, start + chunk)
            try stream.feed(rest.bytes[start..<end])
            start = end
        }
        try stream.finish()
        let svg = try stream.figure(title: "mpps plot <fuzz> & 'x'", subtitle: ["host \"fuzz\""]).svg
        require(svg.hasPrefix("<?xml"), "an SVG document")
        let opening = svg.utf8.filter { $0 == UInt8(ascii: "<") }.count
        let closing = svg.utf8.filter { $0 == UInt8(ascii: ">") }.count
        require(opening == closing, "every < and > is markup (\(opening) against \(closing))")
        require(!svg.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" }, "no control characters")
    } catch {
        require(error.status == PlotInputError.dataError, "bytes in memory are data, never a missing file: \(error)")
        require(!error.description.contains("\n"), "one line: \(error)")
    }
    return 0
}
