import PacketIO

/// The words at the top of every plot: the command line that made the data,
/// and the host it ran on, so a picture found later says where it came from.
package enum PlotTitle {
    /// `argv` as a person would type it again: the program's name without its
    /// directory, and any word a shell would split or expand in single quotes.
    package static func commandLine(_ argv: [String]) -> String {
        guard let program = argv.first else { return "mpps" }
        let name = program.split(separator: "/").last.map(String.init) ?? program
        return ([name] + argv.dropFirst().map(quoted)).joined(separator: " ")
    }

    /// `word`, single-quoted when it holds anything but letters, digits and `-_.,:/=@%+[]`.
    static func quoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { scalar in
            (scalar.properties.isAlphabetic && scalar.isASCII) || ("0"..."9").contains(scalar) || "-_.,:/=@%+[]".unicodeScalars.contains(scalar)
        }
        if plain { return word }
        return "'" + word.replacing("'", with: "'\\''") + "'"
    }

    /// `host NAME`, the kernel's host name; `host unknown` when it cannot be read.
    package static var hostLine: String {
        "host " + (Syscalls.hostName() ?? "unknown")
    }
}
