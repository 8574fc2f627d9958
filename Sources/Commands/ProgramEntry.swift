#if canImport(Glibc)
import Glibc
#endif
import Reporting

/// The one way each executable ends: a command runs; a ``RunError`` becomes
/// one line on stderr and its sysexits-style status; success exits 0.
package enum ProgramEntry {
    /// Runs `command` with the process's arguments (without the program name) and exits.
    package static func main(_ command: ([String]) throws(RunError) -> Void) -> Never {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do throws(RunError) {
            try command(arguments)
            exit(0)
        } catch {
            writeError(error.description)
            exit(error.status)
        }
    }
}
