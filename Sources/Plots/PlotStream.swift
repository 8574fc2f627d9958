import Reporting

/// A saved `--json` stream read for `mpps plot`: bytes in, line by line, into
/// the data of one recv/send run, one lab or one ndr search.
///
/// The stream is untrusted (a file from anywhere): each line is at most
/// ``maximumLineBytes``, every line must be a JSON object, one stream holds
/// one command's output, and the data kept is bounded (``RunPlotData`` merges
/// points, the bar charts keep a hundred bars). Lines of types it does not
/// draw (`ready` of lab, `account` of demo, later additions) are passed over.
package struct PlotStream: Sendable {
    /// The longest line read: mpps's lines are at most a few kilobytes (a
    /// thousand threads' entries); a megabyte without a newline is no mpps output.
    package static let maximumLineBytes = 1 << 20

    /// What the stream holds, from its first line that carries data.
    package enum Kind: String, Sendable {
        /// `mpps recv --json` or `mpps send --json` (or `demo --json`): interval lines.
        case run = "a recv or send run"
        /// `mpps lab --json`: experiment lines.
        case lab = "a lab"
        /// `mpps ndr --json`: trial lines.
        case ndr = "an ndr search"
    }

    /// The kind, once a data line was read.
    package private(set) var kind: Kind?
    /// The recv or send run's lines.
    package private(set) var run = RunPlotData()
    /// The lab's lines.
    package private(set) var lab = LabPlotData()
    /// The search's lines.
    package private(set) var ndr = NDRPlotData()
    /// Lines read so far (the number of the last one).
    package private(set) var lines = 0
    private var partial: [UInt8] = []

    /// An empty stream.
    package init() {}

    /// Takes the next bytes; complete lines are read at once.
    package mutating func feed<Bytes: Collection>(_ bytes: Bytes) throws(PlotInputError) where Bytes.Element == UInt8 {
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            partial.append(contentsOf: bytes[start..<newline])
            try checkLength()
            try take(line: partial)
            partial.removeAll(keepingCapacity: true)
            start = bytes.index(after: newline)
        }
        partial.append(contentsOf: bytes[start...])
        try checkLength()
    }

    /// Reads a last line that has no newline after it.
    package mutating func finish() throws(PlotInputError) {
        if !partial.isEmpty {
            try take(line: partial)
            partial.removeAll()
        }
    }

    private func checkLength() throws(PlotInputError) {
        if partial.count > Self.maximumLineBytes {
            throw PlotInputError("line \(lines + 1) is longer than \(Self.maximumLineBytes >> 20) MiB: "
                + "not a line of mpps --json output", status: PlotInputError.dataError)
        }
    }

    private mutating func take(line: [UInt8]) throws(PlotInputError) {
        lines += 1
        var bytes = line[...]
        while let last = bytes.last, last == 0x0d || last == 0x20 || last == 0x09 { bytes = bytes.dropLast() }
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes = bytes.dropFirst() }
        if bytes.isEmpty { return }
        guard bytes.first == UInt8(ascii: "{"), let value = JSONValue(parsing: String(decoding: bytes, as: UTF8.self)),
              case .object = value else {
            throw PlotInputError("line \(lines) is not a JSON object: mpps plot reads what mpps recv, send, lab or ndr "
                + "print with --json, one object per line", status: PlotInputError.dataError)
        }
        let lineKind: Kind?
        switch value["type"]?.string {
        case "interval": lineKind = .run
        case "experiment": lineKind = .lab
        case "trial": lineKind = .ndr
        default: lineKind = nil
        }
        if let lineKind {
            if let kind, kind != lineKind {
                throw PlotInputError("line \(lines) belongs to \(lineKind.rawValue), the lines before to \(kind.rawValue): "
                    + "give one command's output per file", status: PlotInputError.dataError)
            }
            kind = lineKind
        }
        // Summaries and ready lines look alike across commands: each kind keeps its own, and the kind decides which counts.
        run.add(value)
        lab.add(value)
        ndr.add(value)
    }

    /// The figure of what was read, titled `title` with `subtitle` lines (the stream's own facts follow them).
    package func figure(title: String, subtitle: [String]) throws(PlotInputError) -> Figure {
        switch kind {
        case .run?:
            return RunPlotData.figure(run, title: title, subtitle: subtitle)
        case .lab?:
            return LabPlotData.figure(lab, title: title, subtitle: subtitle)
        case .ndr?:
            return NDRPlotData.figure(ndr, title: title, subtitle: subtitle)
        case nil:
            throw PlotInputError("no interval, experiment or trial lines in \(lines) lines: give the --json output of "
                + "mpps recv, send, lab or ndr (recv and send with --quiet write no intervals)", status: PlotInputError.dataError)
        }
    }
}

/// Why `mpps plot` cannot draw its input: one line, and a sysexits status.
package struct PlotInputError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What was wrong and what to do.
    package var description: String
    /// ``dataError`` or ``noInput``.
    package var status: Int32

    /// `EX_DATAERR`: the input is not what mpps plot reads.
    package static let dataError: Int32 = 65
    /// `EX_NOINPUT`: the input cannot be opened.
    package static let noInput: Int32 = 66

    /// Creates an error.
    package init(_ description: String, status: Int32) {
        self.description = description
        self.status = status
    }
}

extension RunPlotData {
    /// A recv or send run's figure: its panels, the ready line's facts under the title, the summary at the bottom.
    package static func figure(_ data: RunPlotData, title: String, subtitle: [String]) -> Figure {
        var lines = subtitle
        if let description = data.description { lines.append(description) }
        var notes = (data.summaryLine.map { [$0] } ?? []) + data.findings
        if data.intervalsPerBucket > 1 {
            notes.append("\(data.intervals) intervals drawn as \(data.points.count) points of \(data.intervalsPerBucket) intervals each")
        }
        return Figure(title: title, subtitle: lines, panels: data.panels, notes: notes)
    }
}

extension LabPlotData {
    /// A lab's figure: the bars, the summary's facts under the title.
    package static func figure(_ data: LabPlotData, title: String, subtitle: [String]) -> Figure {
        Figure(title: title, subtitle: subtitle + (data.description.map { [$0] } ?? []),
               panels: data.panel.map { [$0] } ?? [], notes: data.notes)
    }
}

extension NDRPlotData {
    /// A search's figure: the bars, the result line at the bottom.
    package static func figure(_ data: NDRPlotData, title: String, subtitle: [String]) -> Figure {
        Figure(title: title, subtitle: subtitle, panels: data.panel.map { [$0] } ?? [], notes: data.notes)
    }
}
