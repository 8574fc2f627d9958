import Reporting

/// The lines of a `--json` stream drawn as a bar chart: each line of one type
/// (`experiment`, `trial`) a bar, the first ``maximumBars`` of them kept and
/// every one counted, and the `summary` line.
struct BarLines<Bar: Sendable>: Sendable {
    /// Bars at most; a stream with more says how many were left out.
    static var maximumBars: Int { 100 }

    /// The type of the lines that become bars.
    let type: String
    /// The bars kept, in order (at most ``maximumBars``).
    private(set) var bars: [Bar] = []
    /// Lines of ``type`` read, those beyond ``maximumBars`` included.
    private(set) var count = 0
    /// The `summary` line, when there was one.
    private(set) var summary: JSONValue?

    /// No lines yet; bars from lines of `type`.
    init(type: String) { self.type = type }

    /// Takes one line: a line of ``type`` is counted and, while there is room,
    /// made a bar by `bar` (given the line and its number in the stream, from 1);
    /// the summary is kept; other lines are passed over.
    mutating func add(_ line: JSONValue, bar: (JSONValue, Int) -> Bar) {
        switch line["type"]?.string {
        case "summary": summary = line
        case type?:
            count += 1
            if bars.count < Self.maximumBars { bars.append(bar(line, count)) }
        default: break
        }
    }

    /// `12 more trials not drawn (the first 100 are)`, when any were left out.
    func leftOut(_ plural: String) -> [String] {
        count > bars.count ? ["\(count - bars.count) more \(plural) not drawn (the first \(bars.count) are)"] : []
    }
}
