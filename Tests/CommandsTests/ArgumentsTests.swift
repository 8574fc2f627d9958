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
                == "mpps test: --rate must be a rate from 1 to 1G datagrams per second such as 100000, 500k or 1.5M, not '0' (see 'mpps test --help')")
        #expect(usageError(["--rcvbuf", "lots"]) { _ = try $0.size("--rcvbuf") }?.description
                == "mpps test: --rcvbuf must be a size in bytes such as 212992, 256K or 4M (at least 1, below 2G), not 'lots' (see 'mpps test --help')")
        #expect(usageError(["--duration", "0"]) { _ = try $0.seconds("--duration") }?.description
                == "mpps test: --duration must be a number of seconds from 0.001 to 31536000 (365 days) such as 6 or 0.5, not '0' (see 'mpps test --help')")
        #expect(usageError(["--count", "1.5"]) { _ = try $0.count("--count") }?.description
                == "mpps test: --count must be a whole number of datagrams from 1 to 18446744073709551615 such as 200000 or 200k, not '1.5' (see 'mpps test --help')")
        #expect(usageError(["--cpus", "4096"]) { _ = try $0.cpus("--cpus") }?.description
                == "mpps test: --cpus: CPU 4096 in '4096' is beyond the largest CPU number Linux supports here (1023) (see 'mpps test --help')")
        #expect(usageError([]) { _ = try $0.address("127.0.0.1", what: "target") }?.description
                == "mpps test: bad target: missing port in '127.0.0.1': write HOST:PORT, for example 127.0.0.1:4321 (see 'mpps test --help')")
    }

    /// The bounds: each value just inside is taken, each just outside refused in one line.
    @Test func ratesRunFrom1To1G() throws {
        #expect(try parse(["--rate", "1"]).rate("--rate") == 1)
        #expect(try parse(["--rate", "1G"]).rate("--rate") == 1e9)
        #expect(try parse(["--rate", "1.5"]).rate("--rate") == 1.5)
        for bad in ["0.999", "1.000001G", "99999999999999999999999G", "20000000000G", "0"] {
            #expect(usageError(["--rate", bad]) { _ = try $0.rate("--rate") }?.description
                    == "mpps test: --rate must be a rate from 1 to 1G datagrams per second such as 100000, 500k or 1.5M, not '\(bad)' (see 'mpps test --help')")
        }
    }

    @Test func secondsRunFromAMillisecondToAYear() throws {
        #expect(try parse(["--duration", "0.001"]).seconds("--duration") == 0.001)
        #expect(try parse(["--duration", "31536000"]).seconds("--duration") == 31_536_000)
        for bad in ["0.0009", "0.0000000001", "31536000.001", "99999999999999999999", "1e3", "inf"] {
            #expect(usageError(["--duration", bad]) { _ = try $0.seconds("--duration") }?.description
                    == "mpps test: --duration must be a number of seconds from 0.001 to 31536000 (365 days) such as 6 or 0.5, not '\(bad)' (see 'mpps test --help')")
        }
        // A command may state a lower maximum of its own (lab and ndr: 600).
        #expect(try parse(["--duration", "600"]).seconds("--duration", maximum: 600) == 600)
        #expect(usageError(["--duration", "600.5"]) { _ = try $0.seconds("--duration", maximum: 600) }?.description
                == "mpps test: --duration must be a number of seconds from 0.001 to 600 such as 6 or 0.5, not '600.5' (see 'mpps test --help')")
    }

    @Test func countsRunTo64Bits() throws {
        #expect(try parse(["--count", "18446744073709551615"]).count("--count") == UInt64.max)
        #expect(try parse(["--count", "9007199254740993"]).count("--count") == 9_007_199_254_740_993)
        for bad in ["0", "18446744073709551616", "99999999999999999999G", "-1"] {
            #expect(usageError(["--count", bad]) { _ = try $0.count("--count") }?.description
                    == "mpps test: --count must be a whole number of datagrams from 1 to 18446744073709551615 such as 200000 or 200k, not '\(bad)' (see 'mpps test --help')")
        }
    }

    @Test func sizesStayBelow2G() throws {
        #expect(try parse(["--rcvbuf", "2047M"]).size("--rcvbuf") == 2047 << 20)
        for bad in ["2G", "4G", "99999999999G", "99999999999T", "9223372036854775807K"] {
            #expect(usageError(["--rcvbuf", bad]) { _ = try $0.size("--rcvbuf") }?.description
                    == "mpps test: --rcvbuf must be a size in bytes such as 212992, 256K or 4M (at least 1, below 2G), not '\(bad)' (see 'mpps test --help')")
        }
    }

    @Test func fractionsRunFrom0To1() throws {
        let options = [OptionSpec("--loss", "FRACTION", "loss")]
        #expect(try Arguments(["--loss", "0.001"], options: options, command: "mpps test").fraction("--loss") == 0.001)
        for bad in ["nan", "-0.1", "1.5", "inf", "lots"] {
            do {
                _ = try Arguments(["--loss", bad], options: options, command: "mpps test").fraction("--loss")
                Issue.record("'\(bad)' was taken")
            } catch {
                #expect(error.description == "mpps test: --loss must be a fraction from 0 to 1 such as 0 or 0.001, not '\(bad)' (see 'mpps test --help')")
            }
        }
    }

    @Test func helpListsEveryOption() {
        let help = Arguments.help(usage: "mpps test", about: "About.", options: options)
        for option in options { #expect(help.contains(option.name)) }
        #expect(help.hasPrefix("usage: mpps test\n\nAbout.\n\noptions:\n"))
        #expect(help.contains("  -h, --help"))
    }
}
