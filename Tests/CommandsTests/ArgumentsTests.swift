import Testing
@testable import Commands
import Reporting

@Suite struct ArgumentsTests {
    let options = [
        OptionSpec("--threads", "N", "threads"),
        OptionSpec("--json", nil, "json"),
        OptionSpec("--rcvbuf", "SIZE", "buffer"),
        OptionSpec("--rate", "PPS", "rate"),
        OptionSpec("--cpus", "LIST", "cpus"),
        OptionSpec("--duration", "SECONDS", "duration"),
        OptionSpec("--count", "N", "count"),
    ]

    func parse(_ arguments: [String]) throws(RunError) -> Arguments {
        try Arguments(arguments, options: options, command: "mpps test")
    }

    func usageError(_ arguments: [String], read: (Arguments) throws -> Void = { _ in }) -> RunError? {
        do {
            try read(try parse(arguments))
            return nil
        } catch {
            return error as? RunError
        }
    }

    @Test func valuesFlagsAndPositionals() throws {
        let parsed = try parse(["127.0.0.1:1", "--threads", "4", "--json", "--rcvbuf=4M", "--", "--odd"])
        #expect(parsed.positionals == ["127.0.0.1:1", "--odd"])
        #expect(try parsed.integer("--threads", in: 1...1024) == 4)
        #expect(parsed.flag("--json"))
        #expect(try parsed.size("--rcvbuf") == 4 << 20)
        #expect(try parsed.rate("--rate") == nil)
        #expect(!parsed.wantsHelp)
        #expect(try parse(["-h"]).wantsHelp)
    }

    @Test func unknownAndMalformedOptions() {
        #expect(usageError(["--bogus"]) == RunError("mpps test: unknown option '--bogus' (see 'mpps test --help')", status: 64))
        #expect(usageError(["--threads"]) == RunError("mpps test: option --threads needs a value: --threads N (see 'mpps test --help')", status: 64))
        #expect(usageError(["--json=1"]) == RunError("mpps test: option --json takes no value (see 'mpps test --help')", status: 64))
        #expect(usageError(["--json", "--json"]) == RunError("mpps test: option --json is given twice: give it once (see 'mpps test --help')", status: 64))
    }

    @Test func badValuesSayWhatToWrite() {
        #expect(usageError(["--threads", "0"]) { _ = try $0.integer("--threads", in: 1...1024) }?.description
                == "mpps test: --threads must be a whole number from 1 to 1024, not '0' (see 'mpps test --help')")
        #expect(usageError(["--rate", "0"]) { _ = try $0.rate("--rate") }?.description
                == "mpps test: --rate must be a rate above 0 such as 100000, 500k or 1.5M, not '0' (see 'mpps test --help')")
        #expect(usageError(["--rcvbuf", "lots"]) { _ = try $0.size("--rcvbuf") }?.description
                == "mpps test: --rcvbuf must be a size in bytes such as 212992, 256K or 4M (at least 1, below 2G), not 'lots' (see 'mpps test --help')")
        #expect(usageError(["--duration", "0"]) { _ = try $0.seconds("--duration") }?.description
                == "mpps test: --duration must be a number of seconds above 0 such as 6 or 0.5, not '0' (see 'mpps test --help')")
        #expect(usageError(["--count", "1.5"]) { _ = try $0.count("--count") }?.description
                == "mpps test: --count must be a whole number of datagrams of at least 1, such as 200000 or 200k, not '1.5' (see 'mpps test --help')")
        #expect(usageError(["--cpus", "4096"]) { _ = try $0.cpus("--cpus") }?.description
                == "mpps test: --cpus: CPU 4096 in '4096' is beyond the largest CPU number Linux supports here (1023) (see 'mpps test --help')")
        #expect(usageError([]) { _ = try $0.address("127.0.0.1", what: "target") }?.description
                == "mpps test: bad target: missing port in '127.0.0.1': write HOST:PORT, for example 127.0.0.1:4321 (see 'mpps test --help')")
    }

    @Test func helpListsEveryOption() {
        let help = Arguments.help(usage: "mpps test", about: "About.", options: options)
        for option in options { #expect(help.contains(option.name)) }
        #expect(help.hasPrefix("usage: mpps test\n\nAbout.\n\noptions:\n"))
        #expect(help.contains("  -h, --help"))
    }
}
