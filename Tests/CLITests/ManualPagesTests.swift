#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// The man pages `mpps --generate man` writes, against what `--help` prints:
/// every option in one is in the other, every page renders without a warning,
/// and the version is the one `mpps --version` prints.
@Suite struct ManualPagesTests {
    /// The commands `mpps --help` lists (without `help`).
    static func commands() throws -> [String] {
        let overview = try Program.run("mpps", ["--help"]).stdout
        let section = overview.components(separatedBy: "\ncommands:\n")[1].components(separatedBy: "\n\n")[0]
        return section.split(separator: "\n").map { String($0.split(separator: " ")[0]) }.filter { $0 != "help" }
    }

    /// `--name VALUE` for every option a `--help` text lists, `-h` and `--help` included.
    static func helpOptions(_ help: String) -> Set<String> {
        let section = help.components(separatedBy: "\noptions:\n")[1].components(separatedBy: "\n\n")[0]
        var options: Set<String> = []
        for line in section.split(separator: "\n") where line.hasPrefix("  -") {
            if line.hasPrefix("  -h, --help") { options.formUnion(["-h", "--help"]); continue }
            let words = line.split(separator: " ")
            let takesValue = words.count > 1 && line.contains(words[0] + " " + words[1] + "  ")
            options.insert(takesValue ? "\(words[0]) \(words[1])" : String(words[0]))
        }
        return options
    }

    /// `--name VALUE` for every tag in a page's OPTIONS section.
    static func manOptions(_ roff: String) -> Set<String> {
        let section = roff.components(separatedBy: "\n.SH OPTIONS\n")[1].components(separatedBy: "\n.SH ")[0]
        let lines = section.split(separator: "\n").map(String.init)
        var options: Set<String> = []
        for (index, line) in lines.enumerated() where line == ".TP" && index + 1 < lines.count {
            var tag = lines[index + 1]
            if tag.hasPrefix(".B ") { tag.removeFirst(3) }
            for token in ["\\fB", "\\fR", "\\fI"] { tag = tag.replacingOccurrences(of: token, with: "") }
            tag = tag.replacingOccurrences(of: "\\-", with: "-")
            if tag == "-h, --help" { options.formUnion(["-h", "--help"]) } else { options.insert(tag) }
        }
        return options
    }

    static func page(_ name: String) throws -> String {
        let result = try Program.run("mpps", ["--generate", "man", name])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    @Test func everyCommandHasAPageWithTheOptionsItsHelpLists() throws {
        let commands = try Self.commands()
        #expect(commands.count >= 8)
        let names = try Program.run("mpps", ["--generate", "man-list"]).stdout.split(separator: "\n").map(String.init)
        #expect(names == ["mpps"] + commands.map { "mpps-" + $0 } + ["udpsender", "udpreceiver1"])
        for command in commands {
            let help = try Program.run("mpps", [command, "--help"]).stdout
            let fromHelp = Self.helpOptions(help)
            let fromPage = Self.manOptions(try Self.page("mpps-" + command))
            #expect(fromHelp.count > 2, "mpps \(command) --help lists no options")
            #expect(fromHelp.subtracting(fromPage).isEmpty, "in 'mpps \(command) --help', not in mpps-\(command)(1): \(fromHelp.subtracting(fromPage))")
            #expect(fromPage.subtracting(fromHelp).isEmpty, "in mpps-\(command)(1), not in 'mpps \(command) --help': \(fromPage.subtracting(fromHelp))")
        }
        for program in ["udpsender", "udpreceiver1"] {
            let help = try Program.run(program, ["--help"]).stdout
            #expect(Self.helpOptions(help) == ["-h", "--help"])
            #expect(Self.manOptions(try Self.page(program)) == ["-h", "--help"])
        }
    }

    @Test func theOverviewPageListsEveryCommand() throws {
        let roff = try Self.page("mpps")
        let section = roff.components(separatedBy: "\n.SH COMMANDS\n")[1].components(separatedBy: "\n.SH ")[0]
        let tags = section.components(separatedBy: ".TP\n\\fB").dropFirst().map { String($0.prefix { $0 != "\\" }) }
        #expect(tags == (try Self.commands()) + ["help"])
    }

    @Test func pagesCarryTheVersionMppsPrints() throws {
        let version = try Program.run("mpps", ["--version"])
        #expect(version.status == 0)
        let number = try #require(version.stdout.split(separator: " ").last?.dropLast()).description
        #expect(version.stdout == "mpps \(number)\n")
        #expect(number.split(separator: ".").count == 3)
        for name in try Program.run("mpps", ["--generate", "man-list"]).stdout.split(separator: "\n") {
            let roff = try Self.page(String(name))
            #expect(roff.contains("\n.TH \(name.uppercased().replacingOccurrences(of: "-", with: "\\-")) 1 \"\" \"mpps \(number)\" \"mpps manual\"\n"))
        }
    }

    @Test func badGenerateRequestsAreUsageErrors() throws {
        let unknown = try Program.run("mpps", ["--generate", "man", "mpps-frob"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.hasPrefix("mpps --generate: no man page 'mpps-frob' (pages: mpps, mpps-recv, "))
        let bare = try Program.run("mpps", ["--generate"])
        #expect(bare.status == 64)
        #expect(bare.stderr == "mpps --generate: write mpps --generate man-list | man NAME | bash-completion\n")
    }

    static let manAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/man")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/groff")

    @Test(.enabled(if: manAvailable, "needs man and groff (apt-get install man-db groff-base)"))
    func everyPageRendersWithoutAWarning() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mpps-man-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in try Program.run("mpps", ["--generate", "man-list"]).stdout.split(separator: "\n") {
            let file = directory.appendingPathComponent("\(name).1")
            try Self.page(String(name)).write(to: file, atomically: true, encoding: .utf8)
            let rendered = try Self.render(file.path)
            #expect(rendered.status == 0, "man -l \(name).1 failed: \(rendered.stderr)")
            #expect(rendered.stderr == "", "man --warnings -l \(name).1: \(rendered.stderr)")
            #expect(rendered.stdout.count > 500, "man -l \(name).1 printed \(rendered.stdout.count) characters")
        }
    }

    /// `man --warnings -l FILE` as lintian runs it (80 columns, UTF-8), its text and its warnings.
    static func render(_ path: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/man")
        process.arguments = ["--warnings", "-E", "UTF-8", "-l", "-Tutf8", path]
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C.UTF-8"
        environment["MANWIDTH"] = "80"
        environment["MAN_KEEP_FORMATTING"] = nil
        process.environment = environment
        return try runCapturing(process)
    }
}

/// Runs `process` to its end and returns its status and its two streams (through
/// files, so that neither fills a pipe while the test waits).
func runCapturing(_ process: Process) throws -> (status: Int32, stdout: String, stderr: String) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mpps-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let outURL = directory.appendingPathComponent("stdout"), errURL = directory.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return (process.terminationStatus, try String(contentsOf: outURL, encoding: .utf8), try String(contentsOf: errURL, encoding: .utf8))
}
