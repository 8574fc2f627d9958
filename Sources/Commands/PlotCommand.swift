import PacketIO
import Plots
import Reporting

/// `mpps plot RUN.jsonl [-o FILE.svg]`: draws a saved `--json` stream.
enum PlotCommand {
    static let options = [
        OptionSpec("-o", "FILE", "write the SVG to FILE (default: RUN with .svg in place of .jsonl or .json; standard output for -)"),
    ]

    static let help = HelpPage(
        usage: "mpps plot RUN.jsonl [-o FILE.svg]",
        about: """
        Draw what mpps printed with --json as an SVG picture 800 pixels wide, the
        same one --svg writes at the end of a run:

          mpps recv --json, mpps send --json   datagrams/s per thread over time, drops
                                               by cause, CPU shares (when the lines have them)
          mpps lab --json                      a bar per experiment: received vs sent,
                                               losses stacked by cause
          mpps ndr --json                      each trial: offered vs received, pass or
                                               fail; the result line

        RUN is a file of those lines, or - for standard input. One command's output
        per file, at most 64 MiB, each line at most 1 MiB; a long run is drawn with
        at most 2000 points per line (neighbouring intervals merged). Input that is
        not such a stream exits 65, a file that cannot be read 66.
        """,
        options: options,
        footer: """
        examples:
          mpps recv 127.0.0.1:4321 --json --duration 10 > run.jsonl; mpps plot run.jsonl
          mpps lab --seconds 1 --json > lab.jsonl; mpps plot lab.jsonl -o lab.svg
          mpps ndr --json | mpps plot - -o ndr.svg
        """)

    static func run(_ raw: [String]) throws(RunError) {
        let arguments = try Arguments(raw, options: options, command: "mpps plot")
        if arguments.wantsHelp {
            writeOutput(help.text)
            return
        }
        guard arguments.positionals.count == 1, let input = arguments.positionals.first else {
            throw arguments.usage(arguments.positionals.isEmpty
                ? "give the file of JSON lines to draw (mpps plot RUN.jsonl)"
                : "expected one RUN file, got \(arguments.positionals.count)")
        }
        let target = arguments.text("-o") ?? defaultOutput(for: input)
        if let target, target.isEmpty { throw arguments.usage("-o needs a file name, such as run.svg") }
        let output = try target.map { path throws(RunError) in try PlotOutput(path, option: "-o") }
        let stream: PlotStream
        let figure: Figure
        do throws(PlotInputError) {
            stream = try PlotInput.read(input)
            figure = try stream.figure(title: SVGOption.title, subtitle: [PlotTitle.hostLine])
        } catch {
            throw RunError("mpps plot: \(error.description)", status: error.status)
        }
        if let output {
            try output.write(figure.svg)
            writeError("mpps plot: \(stream.kind?.rawValue ?? "a stream") of \(stream.lines) lines drawn to \(output.path)")
        } else {
            writeOutput(figure.svg)
        }
    }

    /// `run.jsonl` → `run.svg`, `run.json` → `run.svg`, `run` → `run.svg`; nil (standard output) for `-`.
    static func defaultOutput(for input: String) -> String? {
        guard input != "-" else { return nil }
        for suffix in [".jsonl", ".json"] where input.hasSuffix(suffix) && input.count > suffix.count {
            return String(input.dropLast(suffix.count)) + ".svg"
        }
        return input + ".svg"
    }
}
