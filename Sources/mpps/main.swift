#if canImport(Glibc)
import Glibc
#endif
import Bench

// mpps: the entry point. Each subcommand lives in its own file; every error
// ends here as one line on stderr and a sysexits-style status.
let arguments = Array(CommandLine.arguments.dropFirst())
do throws(RunError) {
    try MPPS.main(arguments)
    exit(0)
} catch {
    writeError(error.description)
    exit(error.status)
}
