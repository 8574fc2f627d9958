import PacketIO
import Reporting

/// A command line split into options and positional arguments, with typed
/// readers that turn a bad value into one line saying what to write instead.
/// Every error is a usage error (exit status 64).
package struct Arguments {
    /// The command's name for messages: `mpps recv`.
    package let command: String
    /// Positional arguments, in order.
    package private(set) var positionals: [String] = []
    private var values: [String: String] = [:]
    private var flags: Set<String> = []
    /// True when `-h` or `--help` was given.
    package private(set) var wantsHelp = false

    /// Parses `arguments` (without the command name) against `options`.
    /// Accepts `--name value`, `--name=value`, and `--` before positionals that start with `-`.
    package init(_ arguments: [String], options: [OptionSpec], command: String) throws(RunError) {
        self.command = command
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" { optionsEnded = true; continue }
            if argument == "-h" || argument == "--help" { wantsHelp = true; continue }
            let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard let spec = options.first(where: { $0.name == name }) else {
                throw usage("unknown option '\(name)'")
            }
            if values[name] != nil || flags.contains(name) {
                throw usage("option \(name) is given twice: give it once")
            }
            guard let placeholder = spec.value else {
                if parts.count == 2 { throw usage("option \(name) takes no value") }
                flags.insert(name)
                continue
            }
            if parts.count == 2 {
                values[name] = String(parts[1])
            } else if index < arguments.count {
                values[name] = arguments[index]
                index += 1
            } else {
                throw usage("option \(name) needs a value: \(name) \(placeholder)")
            }
        }
    }

    /// A usage error for this command, pointing at its help.
    package func usage(_ problem: String) -> RunError {
        RunError("\(command): \(problem) (see '\(command) --help')", status: RunError.usage)
    }

    /// True when the flag was given.
    package func flag(_ name: String) -> Bool { flags.contains(name) }

    /// The flow keys `name` lists (16 hex digits each, comma-separated), at most `most`; empty when absent.
    package func flowKeys(_ name: String, most: Int) throws(RunError) -> [FlowKey] {
        guard let text = self.text(name) else { return [] }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count <= most else { throw usage("\(name) takes at most \(most) keys, got \(parts.count)") }
        var keys: [FlowKey] = []
        for part in parts {
            guard let key = FlowKey(parsing: String(part)) else {
                throw usage("\(name) must be 16 hex digits as mpps send prints them (flow key 0123456789abcdef), not '\(part)'")
            }
            keys.append(key)
        }
        return keys
    }

    /// The raw text of an option, if given.
    package func text(_ name: String) -> String? { values[name] }

    /// A whole number in `range`.
    package func integer(_ name: String, in range: ClosedRange<Int>, why: String = "") throws(RunError) -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw usage("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)\(why), not '\(text)'")
        }
        return value
    }

    /// A byte size such as `4M` or `256K`, at least `minimum`.
    package func size(_ name: String, minimum: Int = 1) throws(RunError) -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Units.parseSize(text), value >= minimum, value <= Int(Int32.max) else {
            let bounds = minimum > 0 ? "at least \(minimum), below 2G" : "below 2G"
            throw usage("\(name) must be a size in bytes such as 212992, 256K or 4M (\(bounds)), not '\(text)'")
        }
        return value
    }

    /// The lowest rate a flag may give, datagrams per second: below one a
    /// second the pacer's schedule means nothing a run could show.
    package static let lowestRate = 1.0
    /// The highest rate a flag may give: 1G datagrams per second, far above
    /// what one host sends (about 30M/s with GSO here), and small enough that
    /// every count and time the pacer derives from it fits in 64 bits.
    package static let highestRate = 1e9
    /// The shortest time a flag may give, seconds: one millisecond. Shorter
    /// intervals made the monitor spin (a zero-length interval in nanoseconds)
    /// and shorter runs end before a thread has started.
    package static let shortestSeconds = 0.001
    /// The longest time a flag may give, seconds: 365 days. It keeps every
    /// deadline a run computes in nanoseconds far from 64 bits' 584 years.
    package static let longestSeconds = 31_536_000.0

    /// A rate per second from 1 to 1G, such as `500k` or `1.5M`.
    package func rate(_ name: String, hint: String = "") throws(RunError) -> Double? {
        guard let text = values[name] else { return nil }
        guard let value = Units.parseRate(text), value >= Self.lowestRate, value <= Self.highestRate else {
            throw usage("\(name) must be a rate from 1 to 1G datagrams per second such as 100000, 500k or 1.5M, not '\(text)'\(hint)")
        }
        return value
    }

    /// A count from 1 to 2^64 - 1, such as `200000` or `200k`, read exactly.
    package func count(_ name: String) throws(RunError) -> UInt64? {
        guard let text = values[name] else { return nil }
        guard let value = Units.parseCount(text), value >= 1 else {
            throw usage("\(name) must be a whole number of datagrams from 1 to \(UInt64.max) such as 200000 or 200k, not '\(text)'")
        }
        return value
    }

    /// Seconds from `minimum` (at least ``shortestSeconds``) to `maximum` (at
    /// most ``longestSeconds``), such as `6` or `0.5`; `why` follows the bounds
    /// in the message when a command narrows them.
    package func seconds(_ name: String, minimum: Double = shortestSeconds, maximum: Double = longestSeconds,
                         why: String = "") throws(RunError) -> Double? {
        guard let text = values[name] else { return nil }
        let lowest = max(minimum, Self.shortestSeconds)
        let highest = min(maximum, Self.longestSeconds)
        guard let value = Units.parseSeconds(text), value >= lowest, value <= highest else {
            let longest = highest == Self.longestSeconds ? "31536000 (365 days)" : Units.plain(highest)
            throw usage("\(name) must be a number of seconds from \(Units.plain(lowest)) to \(longest)\(why) such as 6 or 0.5, not '\(text)'")
        }
        return value
    }

    /// A fraction from 0 to 1, such as `0` or `0.001`.
    package func fraction(_ name: String) throws(RunError) -> Double? {
        guard let text = values[name] else { return nil }
        guard let value = Double(text), value.isFinite, value >= 0, value <= 1 else {
            throw usage("\(name) must be a fraction from 0 to 1 such as 0 or 0.001, not '\(text)'")
        }
        return value
    }

    /// A CPU list that this process may use.
    package func cpus(_ name: String) throws(RunError) -> CPUList? {
        guard let text = values[name] else { return nil }
        do {
            let list = try CPUList(parsing: text)
            try list.validate()
            return list
        } catch {
            throw usage("\(name): \(error)")
        }
    }

    /// An address `HOST:PORT`.
    package func address(_ text: String, what: String) throws(RunError) -> SocketAddress {
        do {
            return try SocketAddress(parsing: text)
        } catch {
            throw usage("bad \(what): \(error)")
        }
    }

    /// One address `HOST:PORT`, or an IPv4 range on the last octet, `127.0.0.1-20:PORT`.
    package func addresses(_ text: String, what: String) throws(RunError) -> [SocketAddress] {
        do {
            return try SocketAddress.parseList(text)
        } catch {
            throw usage("bad \(what): \(error)")
        }
    }

    /// The `--help` text: a usage line, a description and the options.
    package static func help(usage: String, about: String, options: [OptionSpec], footer: String = "") -> String {
        // At least as wide as "-h, --help", the line every table ends with.
        let width = max(10, options.map { $0.name.count + ($0.value.map { $0.count + 1 } ?? 0) }.max() ?? 0)
        var text = "usage: \(usage)\n\n\(about)\n\noptions:\n"
        for option in options {
            let left = option.name + (option.value.map { " " + $0 } ?? "")
            text += "  " + left + String(repeating: " ", count: width - left.count + 2) + option.help + "\n"
        }
        text += "  -h, --help" + String(repeating: " ", count: max(0, width - 8)) + "show this help\n"
        if !footer.isEmpty { text += "\n" + footer + "\n" }
        return text
    }
}
