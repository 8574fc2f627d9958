import Testing
@testable import Commands
import Reporting
import Trials

/// What `mpps serve` lets a client ask of a receiver, and what a client command
/// passes on to its local child.
@Suite struct ServeCommandTests {
    private func check(_ arguments: [String], allowLowPorts: Bool = false, program: ServeProtocol.Program = .recv) -> String? {
        ServeCommand.check(program, arguments, allowLowPorts: allowLowPorts)?.description
    }

    @Test func clientOptionsAreRecvsOwn() {
        #expect(ServeCommand.clientOptions.isSubset(of: Set(RecvCommand.options.map(\.name))))
        #expect(!ServeCommand.clientOptions.contains("--json"))
        #expect(!ServeCommand.clientOptions.contains("--quiet"))
    }

    @Test func acceptsReceiversShapes() {
        #expect(check([]) == nil)
        #expect(check(["0.0.0.0:4321", "--threads", "2", "--reuseport", "--steer=random", "--cpus", "0-1"]) == nil)
        #expect(check(["127.0.0.1:0", "--gro", "--rx-usecs", "50", "--rcvbuf", "8M", "--duration", "3"]) == nil)
        #expect(check(["0.0.0.0:80"], allowLowPorts: true) == nil)
    }

    @Test func refusesTheRestWithOneLine() {
        let allowed = "(allowed: --batch --count --cpus --duration --flow-key --gro --interface --interval --rcvbuf --reuseport --rx-usecs --steer --threads)"
        #expect(check(["--json"]) == "option '--json' is not one a client may give \(allowed)")
        #expect(check(["--help"]) == "option '--help' is not one a client may give \(allowed)")
        #expect(check(["--", "x"]) == "option '--' is not one a client may give \(allowed)")
        #expect(check(["0.0.0.0:4321", "0.0.0.0:4322"]) == "expected at most one ADDR:PORT, got 2")
        #expect(check(["0.0.0.0:1023"]) == "port 1023 is below 1024: this server refuses it (start mpps serve with --allow-low-ports to permit it)")
        #expect(check(["--threads"]) == "mpps recv: option --threads needs a value: --threads N (see 'mpps recv --help')")
        #expect(check(["--threads", "1", "--threads", "2"]) == "mpps recv: option --threads is given twice: give it once (see 'mpps recv --help')")
        #expect(check(["nowhere:x"]) != nil)
    }

    @Test func echoHasItsOwnAllowList() {
        #expect(ServeCommand.echoClientOptions.isSubset(of: Set(EchoCommand.options.map(\.name))))
        #expect(check(["0.0.0.0:4321", "--threads", "2", "--reuseport", "--cpus", "1", "--sockperf", "--gro"], program: .echo) == nil)
        #expect(check(["[::]:5000", "--batch", "8", "--rcvbuf", "64K", "--count", "10"], program: .echo) == nil)
        #expect(check(["0.0.0.0:4321", "--gro", "--gso"], program: .echo) == nil)
        let allowed = "(allowed: --batch --count --cpus --duration --gro --gso --interval --rcvbuf --reuseport --sockperf --steer --threads)"
        #expect(check(["--flow-key", "ab"], program: .echo) == "option '--flow-key' is not one a client may give \(allowed)")
        #expect(check(["--json"], program: .echo) == "option '--json' is not one a client may give \(allowed)")
        #expect(check(["0.0.0.0:53"], program: .echo)
                == "port 53 is below 1024: this server refuses it (start mpps serve with --allow-low-ports to permit it)")
        #expect(check(["--batch"], program: .echo) == "mpps echo: option --batch needs a value: --batch N (see 'mpps echo --help')")
        #expect(check(["--sockperf"]) != nil, "recv's list is not echo's")
    }

    @Test func childArgumentsLeaveOutWhatTheClientHandles() {
        #expect(ClientOptions.childArguments(["--server", "h:1", "127.0.0.1:9", "--key-file=/k", "--count", "5", "--json", "--quiet"])
                == ["127.0.0.1:9", "--count", "5"])
        #expect(ClientOptions.childArguments(["--server=h", "--key-file", "/k", "--", "--json"]) == ["--", "--json"])
    }
}

/// The key file's checks, before anything listens or connects.
@Suite struct KeyFileTests {
    @Test func aMissingOrShortKeyFileIsAUsageError() {
        #expect(throws: RunError("cannot read the key file /nonexistent/key: no such file or directory (give --key-file a readable file of at least 16 bytes)",
                                 status: RunError.usage)) {
            try ServeCommand.run(["--key-file", "/nonexistent/key"])
        }
        #expect(throws: RunError("mpps send: --key-file goes with --server: it proves the key to mpps serve (see 'mpps send --help')",
                                 status: RunError.usage)) {
            try SendCommand.run(["--key-file", "/nonexistent/key", "--count", "1"])
        }
    }
}
