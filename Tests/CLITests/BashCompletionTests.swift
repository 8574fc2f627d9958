#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// The bash completion `mpps --generate bash-completion` prints, driven as bash
/// drives it: COMP_WORDS and COMP_CWORD set, `_mpps` called, COMPREPLY read.
@Suite struct BashCompletionTests {
    static let bashAvailable = FileManager.default.isExecutableFile(atPath: "/bin/bash")

    /// What `_mpps` offers when the cursor ends `words` (the last one is the word being completed).
    static func complete(_ words: [String], in directory: String? = nil) throws -> [String] {
        let script = try Program.run("mpps", ["--generate", "bash-completion"])
        #expect(script.status == 0, "\(script.stderr)")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mpps-completion-\(UUID().uuidString).bash")
        try script.stdout.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["--norc", "--noprofile", "-c",
                             #"source "$1" || exit 3; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mpps || exit 4; printf '%s\n' "${COMPREPLY[@]}""#,
                             "bash", file.path] + words
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let result = try runCapturing(process)
        #expect(result.status == 0, "bash: \(result.stderr)")
        #expect(result.stderr == "")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test(.enabled(if: bashAvailable, "needs bash"))
    func commandsAndOptions() throws {
        #expect(try Self.complete(["mpps", "re"]) == ["recv"])
        #expect(try Self.complete(["mpps", "--v"]) == ["--version"])
        #expect(try Self.complete(["mpps", "recv", "--reu"]) == ["--reuseport"])
        #expect(try Self.complete(["mpps", "send", "--payload-"]) == ["--payload-pattern"])
        #expect(try Self.complete(["mpps", "plot", "-"]) == ["-o", "--help"])
        #expect(try Self.complete(["mpps", "help", "n"]) == ["ndr"])
        #expect(try Self.complete(["mpps", "frob", "--"]) == [])
        let options = try Self.complete(["mpps", "recv", "--"])
        let help = try Program.run("mpps", ["recv", "--help"]).stdout
        #expect(Set(options) == ManualPagesTests.helpOptions(help).subtracting(["-h"]).reduce(into: Set<String>()) {
            $0.insert(String($1.split(separator: " ")[0]))
        })
    }

    @Test(.enabled(if: bashAvailable, "needs bash"))
    func valuesFromFixedSets() throws {
        #expect(try Self.complete(["mpps", "recv", "--reuseport", "--steer", ""]) == ["hash", "random", "cpu"])
        #expect(try Self.complete(["mpps", "recv", "--reuseport", "--steer", "c"]) == ["cpu"])
        #expect(try Self.complete(["mpps", "recv", "--steer", "=", "r"]) == ["random"])
        #expect(try Self.complete(["mpps", "recv", "--xdp-mode", ""]) == ["copy", "zerocopy"])
        #expect(try Self.complete(["mpps", "send", "--payload-pattern", "z"]) == ["zero"])
        #expect(try Self.complete(["mpps", "recv", "--threads", ""]) == [])
    }

    @Test(.enabled(if: bashAvailable, "needs bash"))
    func interfacesFromSysfs() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")
        #expect(names.contains("lo"))
        #expect(Set(try Self.complete(["mpps", "recv", "--interface", ""])) == Set(names))
        #expect(Set(try Self.complete(["mpps", "recv", "--xdp", ""])) == Set(names))
        #expect(try Self.complete(["mpps", "doctor", "--interface", "l"]) == names.filter { $0.hasPrefix("l") }.sorted())
    }

    @Test(.enabled(if: bashAvailable, "needs bash"))
    func filesForPlotAndSVG() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mpps-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("run.jsonl").path, contents: Data())
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("lab.jsonl").path, contents: Data())
        #expect(try Self.complete(["mpps", "plot", "ru"], in: directory.path) == ["run.jsonl"])
        #expect(try Self.complete(["mpps", "recv", "--svg", "la"], in: directory.path) == ["lab.jsonl"])
    }
}
