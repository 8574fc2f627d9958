import Testing
import Reporting
@testable import Plots

/// What `mpps plot` refuses, with the exact line it prints and its status.
@Suite struct PlotStreamTests {
    func error(_ text: String) -> PlotInputError? {
        do throws(PlotInputError) {
            let stream = try Lines.stream(text)
            _ = try stream.figure(title: "t", subtitle: [])
            return nil
        } catch {
            return error
        }
    }

    @Test func aLineThatIsNotJSON() {
        #expect(error(Lines.ready + "\nmpps recv: listening on 127.0.0.1:4321\n")
            == PlotInputError("line 2 is not a JSON object: mpps plot reads what mpps recv, send, lab or ndr print with --json, one object per line", status: 65))
        #expect(error("[1,2]\n")?.description.hasPrefix("line 1 is not a JSON object") == true)
    }

    @Test func noDataLines() {
        #expect(error(Lines.ready + "\n" + Lines.summary + "\n")
            == PlotInputError("no interval, experiment or trial lines in 2 lines: give the --json output of mpps recv, send, lab or ndr (recv and send with --quiet write no intervals)", status: 65))
        #expect(error("")?.status == 65)
        #expect(error("\n\n  \n")?.status == 65)
    }

    @Test func mixedCommands() {
        #expect(error(Lines.run(cpu: false) + Lines.lab)
            == PlotInputError("line 6 belongs to a lab, the lines before to a recv or send run: give one command's output per file", status: 65))
    }

    @Test func anOverlongLine() {
        let long = "{\"type\":\"interval\",\"x\":\"" + String(repeating: "a", count: PlotStream.maximumLineBytes) + "\"}\n"
        #expect(error(long) == PlotInputError("line 1 is longer than 1 MiB: not a line of mpps --json output", status: 65))
    }

    @Test func crLineEndsAndNoFinalNewlineAreRead() throws {
        let text = Lines.run(cpu: false).split(separator: "\n").joined(separator: "\r\n")
        let stream = try Lines.stream(text)
        #expect(stream.run.intervals == 3)
        #expect(stream.run.summary != nil)
        #expect(stream.lines == 5)
    }

    @Test func bytesArriveInAnyChunks() throws {
        let bytes = Array(Lines.run(cpu: true).utf8)
        var stream = PlotStream()
        var index = 0
        var size = 1
        while index < bytes.count {
            let end = min(bytes.count, index + size)
            try stream.feed(bytes[index..<end])
            index = end
            size = size * 3 % 97 + 1
        }
        try stream.finish()
        #expect(stream.run.intervals == 3)
        #expect(stream.run.panels.count == 5)
    }
}
