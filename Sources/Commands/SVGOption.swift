import PacketIO
import Plots
import Reporting

/// `--svg FILE` of recv, send, lab and ndr: checked with the other options,
/// before the run, and titled with the command line and the host.
enum SVGOption {
    /// The option's line in each command's table.
    static func spec(_ what: String) -> OptionSpec {
        OptionSpec("--svg", "FILE", "when the run ends (Ctrl-C included), write an SVG plot of \(what) to FILE")
    }

    /// Where the plot goes, checked now (a directory, or one that takes no new file, is refused); nil without `--svg`.
    static func output(_ arguments: Arguments) throws(RunError) -> PlotOutput? {
        guard let path = arguments.text("--svg") else { return nil }
        guard !path.isEmpty else { throw arguments.usage("--svg needs a file name, such as run.svg") }
        return try PlotOutput(path, option: "--svg")
    }

    /// The plot's title: this process's command line as typed.
    static var title: String { PlotTitle.commandLine(CommandLine.arguments) }

    /// Runs `run` (lab's experiments, ndr's trials) and then, with `--svg`, draws
    /// what it recorded: whenever anything was recorded, even when the run failed
    /// or a signal cut it short. The run's own failure wins over a plot's.
    static func drawAfter(_ svg: PlotOutput?, recorded: () -> Int, figure: () -> Figure,
                          _ run: () throws(RunError) -> Void) throws(RunError) {
        var failure: RunError?
        do throws(RunError) { try run() } catch { failure = error }
        if let svg, recorded() > 0 {
            do throws(RunError) { try svg.write(figure().svg) } catch {
                guard let failure else { throw error }
                writeError(error.description)
                throw failure
            }
        }
        if let failure { throw failure }
    }
}
