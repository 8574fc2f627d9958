#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import SVGCheck

/// `--svg` on recv, send, lab and ndr, and `mpps plot`, end to end: each SVG
/// parses as XML and renders to a PNG with something on it; bad paths and bad
/// input get one line and their status, before any run.
@Suite(.serialized) struct PlotCLITests {
    /// A fresh directory for one test's files, removed at the end.
    final class Scratch {
        let path: String
        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("mpps-plot-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        func file(_ name: String) -> String { path + "/" + name }
        func read(_ name: String) -> String? { try? String(contentsOfFile: file(name), encoding: .utf8) }
        /// Files in the directory, hidden ones included (a temporary file left behind would show here).
        var names: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
    }

    /// Parses the SVG and, where rsvg-convert is installed, renders it: 800 wide, not blank.
    func check(_ svg: String?, title: String, texts: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let svg = try #require(svg, "no SVG written", sourceLocation: sourceLocation)
        let parsed = try SVGCheck.parse(svg)
        #expect(parsed.texts.first?.hasPrefix(title) == true, "title: \(parsed.texts.first ?? "none")", sourceLocation: sourceLocation)
        #expect(parsed.texts.contains { $0.hasPrefix("host ") }, sourceLocation: sourceLocation)
        for text in texts {
            #expect(parsed.texts.contains(text), "no text '\(text)' in \(parsed.texts)", sourceLocation: sourceLocation)
        }
        if SVGCheck.rendererMissing == nil {
            let rendering = try SVGCheck.render(svg)
            #expect(rendering.width == 800, sourceLocation: sourceLocation)
            #expect(rendering.bytes > 5 * rendering.blankBytes, "\(rendering.bytes) bytes, blank \(rendering.blankBytes)",
                    sourceLocation: sourceLocation)
        } else {
            print("PlotCLITests: rendering not checked: \(SVGCheck.rendererMissing!)")
        }
    }

    @Test func recvAndSendWriteTheirPlotsWhenTheRunEnds() throws {
        let scratch = try Scratch()
        let port = freePort()
        // 1.5 s at 20k/s: three intervals to plot, a rate a sanitized receiver on a busy machine keeps up with.
        let receiver = try Program("mpps", ["recv", "127.0.0.1:\(port)", "--json", "--count", "30000", "--duration", "60",
                                            "--interval", "0.5", "--rcvbuf", "16M",
                                            "--svg", scratch.file("recv.svg")])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        let sender = try Program.run("mpps", ["send", "127.0.0.1:\(port)", "--count", "30000", "--rate", "20k", "--quiet",
                                              "--interval", "0.5", "--svg", scratch.file("send.svg")])
        #expect(sender.status == 0, "\(sender.stderr)")
        #expect(receiver.finish(within: 60) == 0, "\(receiver.stderr)")
        try check(scratch.read("recv.svg"), title: "mpps recv 127.0.0.1:\(port) --json --count 30000 --duration 60",
                  texts: ["Datagrams received per second, per thread", "Drops per second, by cause", "thread 0",
                          "received on 127.0.0.1:\(port) by 1 thread"])
        try check(scratch.read("send.svg"), title: "mpps send 127.0.0.1:\(port) --count 30000",
                  texts: ["Datagrams sent per second, per thread"])
        let received = receiver.stdoutLines.last.flatMap(jsonObject)?["packets"] as? Int
        #expect(received == 30000, "\(receiver.stdoutLines.last ?? "")")
        #expect(scratch.read("recv.svg")?.contains("summary: \(received ?? -1) datagrams in ") == true)
        #expect(scratch.names == ["recv.svg", "send.svg"])

        // The same picture from the saved stream.
        try receiver.stdout.write(toFile: scratch.file("run.jsonl"), atomically: true, encoding: .utf8)
        let plot = try Program.run("mpps", ["plot", scratch.file("run.jsonl")])
        #expect(plot.status == 0, "\(plot.stderr)")
        #expect(plot.stderr.hasPrefix("mpps plot: a recv or send run of "), "\(plot.stderr)")
        try check(scratch.read("run.svg"), title: "mpps plot \(scratch.file("run.jsonl"))",
                  texts: ["Datagrams received per second, per thread", "received on 127.0.0.1:\(port) by 1 thread"])
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalStillWritesThePlot(signal: Int32) throws {
        let scratch = try Scratch()
        let receiver = try Program("mpps", ["recv", "127.0.0.1:\(freePort())", "--json", "--interval", "0.2",
                                            "--svg", scratch.file("r.svg")])
        #expect(receiver.waitFor(seconds: 10) { $0.stdoutLines.count >= 3 }, "\(receiver.stderr)")
        receiver.send(signal)
        #expect(receiver.finish(within: 5) == 0, "\(receiver.stderr)")
        #expect(receiver.stdoutLines.last?.contains(#""stop":"signal""#) == true)
        try check(scratch.read("r.svg"), title: "mpps recv", texts: ["Datagrams received per second, per thread"])
    }

    @Test func anUnwritablePathIsRefusedBeforeTheRun() throws {
        let scratch = try Scratch()
        let started = Date()
        let directory = try Program.run("mpps", ["recv", "127.0.0.1:\(freePort())", "--duration", "5", "--svg", scratch.path])
        #expect(directory.status == 73)
        #expect(directory.stderr == "cannot write --svg \(scratch.path): it is a directory (give a file name, such as \(scratch.path)/run.svg)\n")
        let missing = scratch.file("no/such/dir/x.svg")
        let absent = try Program.run("mpps", ["send", "127.0.0.1:\(freePort())", "--duration", "5", "--svg", missing])
        #expect(absent.status == 73)
        #expect(absent.stderr == "cannot write --svg \(missing): no such file or directory (is directory \(scratch.file("no/such/dir")) there and writable?)\n")
        #expect(absent.stdout == "")
        #expect(Date().timeIntervalSince(started) < 4, "refused before either run started")
        let lab = try Program.run("mpps", ["lab", "--seconds", "0.1", "--svg", missing])
        #expect(lab.status == 73 && lab.stdout == "", "\(lab.stdout)")
        #expect(scratch.names.isEmpty)
    }

    @Test func aPlotThatCannotBeWrittenAtTheEndFailsWithOneLine() throws {
        // The directory was there when the run started, and is gone when it ends.
        let scratch = try Scratch()
        let directory = scratch.file("gone")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let receiver = try Program("mpps", ["recv", "127.0.0.1:\(freePort())", "--json", "--interval", "0.2",
                                            "--svg", directory + "/r.svg"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        try FileManager.default.removeItem(atPath: directory)
        receiver.send(SIGINT)
        #expect(receiver.finish(within: 5) == 73)
        #expect(receiver.stdoutLines.last?.contains(#""type":"summary""#) == true, "the run's own output is whole")
        let lines = receiver.stderr.split(separator: "\n")
        #expect(lines.last == "cannot write --svg \(directory)/r.svg: no such file or directory (is directory \(directory) there and writable?)",
                "\(receiver.stderr)")
    }

    @Test func plotRefusesBadInputWithOneLine() throws {
        let scratch = try Scratch()
        try "mpps recv: listening on 127.0.0.1:4321\n".write(toFile: scratch.file("text.jsonl"), atomically: true, encoding: .utf8)
        let text = try Program.run("mpps", ["plot", scratch.file("text.jsonl")])
        #expect(text.status == 65)
        #expect(text.stderr == "mpps plot: line 1 is not a JSON object: mpps plot reads what mpps recv, send, lab or ndr print with --json, one object per line\n")
        try "".write(toFile: scratch.file("empty.jsonl"), atomically: true, encoding: .utf8)
        let empty = try Program.run("mpps", ["plot", scratch.file("empty.jsonl")])
        #expect(empty.status == 65)
        #expect(empty.stderr.hasPrefix("mpps plot: no interval, experiment or trial lines in 0 lines"), "\(empty.stderr)")
        let missing = try Program.run("mpps", ["plot", scratch.file("none.jsonl")])
        #expect(missing.status == 66)
        #expect(missing.stderr == "mpps plot: cannot read \(scratch.file("none.jsonl")): no such file or directory\n")
        // A sparse file of 65 MiB: refused by its size, without reading it.
        let huge = scratch.file("huge.jsonl")
        #expect(FileManager.default.createFile(atPath: huge, contents: nil))
        #expect(truncate(huge, 65 << 20) == 0)
        let big = try Program.run("mpps", ["plot", huge])
        #expect(big.status == 65)
        #expect(big.stderr == "mpps plot: \(huge) is 65 MiB, more than the 64 MiB mpps plot reads: plot a part of it (head -n 100000 \(huge) > part.jsonl)\n")
        let usage = try Program.run("mpps", ["plot"])
        #expect(usage.status == 64)
        #expect(usage.stderr == "mpps plot: give the file of JSON lines to draw (mpps plot RUN.jsonl) (see 'mpps plot --help')\n")
        #expect(Set(scratch.names) == ["empty.jsonl", "huge.jsonl", "text.jsonl"], "no SVG and no temporary file left")
    }

    @Test func plotReadsStandardInputAndWritesStandardOutput() throws {
        let line = #"{"type":"interval","elapsed":1.000,"packets":5,"bytes":160,"pps":5.0,"calls":1,"threads":[{"id":0,"cpu":0,"packets":5}]}"#
        let shell = ["/bin/bash", "-c", #"printf '%s\n' "$1" | "$0" plot -"#]
        let piped = try Program.run("mpps", [line], prefix: shell)
        #expect(piped.status == 0, "\(piped.stderr)")
        try check(piped.stdout, title: "mpps plot -", texts: ["Datagrams counted per second, per thread"])
    }

    @Test func labWritesABarPerExperiment() throws {
        let scratch = try Scratch()
        let result = try Program.run("mpps", ["lab", "--seconds", "0.1", "--json", "--port", "\(freePort())",
                                              "--svg", scratch.file("lab.svg")], within: 60)
        #expect(result.status == 0, "\(result.stderr)")
        try check(scratch.read("lab.svg"), title: "mpps lab --seconds 0.1",
                  texts: ["Datagrams per second received, and lost by cause, per experiment", "received", "sent",
                          "naive", "reuseport", "gro-no-wait"])
        // And from its saved stream.
        try result.stdout.write(toFile: scratch.file("lab.jsonl"), atomically: true, encoding: .utf8)
        let plot = try Program.run("mpps", ["plot", scratch.file("lab.jsonl"), "-o", scratch.file("again.svg")])
        #expect(plot.status == 0, "\(plot.stderr)")
        #expect(plot.stderr == "mpps plot: a lab of 13 lines drawn to \(scratch.file("again.svg"))\n")
        try check(scratch.read("again.svg"), title: "mpps plot", texts: ["naive", "gro"])
    }

    @Test func ndrWritesEachTrialAndTheResult() throws {
        let scratch = try Scratch()
        let result = try Program.run("mpps", ["ndr", "--trial", "0.2", "--steps", "2", "--max", "50k", "--min", "10k",
                                              "--svg", scratch.file("ndr.svg")], within: 60)
        #expect(result.status == 0, "\(result.stderr)")
        let resultLine = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("result: ") })
        let svg = scratch.read("ndr.svg")
        try check(svg, title: "mpps ndr --trial 0.2", texts: ["Each trial: datagrams per second received against the rate offered", "offered"])
        // The picture's result line says what the text's says, up to its own words about the limit.
        let parsed = try SVGCheck.parse(try #require(svg))
        let drawn = parsed.texts.first { $0.hasPrefix("result: ") } ?? ""
        #expect(drawn.hasPrefix(String(resultLine.prefix { $0 != "(" })), "\(drawn) / \(resultLine)")
    }
}
