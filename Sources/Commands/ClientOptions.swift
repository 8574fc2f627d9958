import PacketIO
import Reporting
import Trials

/// `--server HOST[:PORT]` and `--key-file FILE`, as `ndr`, `send` and `lab` read them.
enum ClientOptions {
    /// Reads both; `exclusive` names an option given that excludes `--server`.
    static func read(_ arguments: Arguments, into server: inout String?, key: inout [UInt8]?, exclusive: String?) throws(RunError) {
        server = arguments.text("--server")
        if let given = server {
            if let exclusive {
                throw arguments.usage("--server and \(exclusive) exclude each other: the receiver runs on the server's host")
            }
            do throws(RunError) { _ = try ServeClient.address(given) } catch {
                throw arguments.usage("--server: \(error.description)")
            }
        }
        if let path = arguments.text("--key-file") {
            guard server != nil else { throw arguments.usage("--key-file goes with --server: it proves the key to mpps serve") }
            key = try ServeProtocol.readKey(path)
        }
    }
}

extension ClientOptions {
    /// `raw` without `--server`, `--key-file` (and their values), `--json` and `--quiet`:
    /// the arguments a local child runs with, its JSON asked for by the caller.
    static func childArguments(_ raw: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < raw.count {
            let argument = raw[index]
            index += 1
            if argument == "--" { result += raw[(index - 1)...]; break }
            if argument == "--server" || argument == "--key-file" { index += 1; continue }
            if argument.hasPrefix("--server=") || argument.hasPrefix("--key-file=") || argument == "--json" || argument == "--quiet" { continue }
            result.append(argument)
        }
        return result
    }
}
