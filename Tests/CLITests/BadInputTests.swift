#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import PacketIO

/// Bad input: one line on stderr naming the problem, status 64 (usage) or 1 (runtime).
@Suite struct BadInputTests {
    struct Case: CustomStringConvertible, Sendable {
        let arguments: [String]
        let status: Int32
        let message: String
        var description: String { arguments.joined(separator: " ") }
    }

    static let usageCases: [Case] = [
        Case(arguments: ["frob"], status: 64,
             message: "mpps: unknown command 'frob' (commands: recv, send, echo, ping, demo, doctor, lab, ndr, plot, serve, help; see 'mpps --help')"),
        Case(arguments: ["recv", "--bogus"], status: 64,
             message: "mpps recv: unknown option '--bogus' (see 'mpps recv --help')"),
        Case(arguments: ["recv", "127.0.0.1"], status: 64,
             message: "mpps recv: bad listen address: missing port in '127.0.0.1': write HOST:PORT, for example 127.0.0.1:4321 (see 'mpps recv --help')"),
        Case(arguments: ["recv", "127.0.0.1:70000"], status: 64,
             message: "mpps recv: bad listen address: port 70000 in '127.0.0.1:70000' is out of range: a port is a number from 0 to 65535 (see 'mpps recv --help')"),
        Case(arguments: ["recv", "::1:4321"], status: 64,
             message: "mpps recv: bad listen address: IPv6 address in '::1:4321' needs brackets: write [::1]:4321 (see 'mpps recv --help')"),
        Case(arguments: ["recv", "--batch", "0"], status: 64,
             message: "mpps recv: --batch must be a whole number from 1 to 1024 (the kernel's UIO_MAXIOV), not '0' (see 'mpps recv --help')"),
        Case(arguments: ["recv", "--batch", "1025"], status: 64,
             message: "mpps recv: --batch must be a whole number from 1 to 1024 (the kernel's UIO_MAXIOV), not '1025' (see 'mpps recv --help')"),
        Case(arguments: ["recv", "--threads", "0"], status: 64,
             message: "mpps recv: --threads must be a whole number from 1 to 1024, not '0' (see 'mpps recv --help')"),
        Case(arguments: ["recv", "--rx-usecs", "10001"], status: 64,
             message: "mpps recv: --rx-usecs must be a whole number from 0 to 10000, not '10001' (see 'mpps recv --help')"),
        Case(arguments: ["recv", "--rx-usecs", "-1"], status: 64,
             message: "mpps recv: --rx-usecs must be a whole number from 0 to 10000, not '-1' (see 'mpps recv --help')"),
        Case(arguments: ["recv", "--rcvbuf", "4Q"], status: 64,
             message: "mpps recv: --rcvbuf must be a size in bytes such as 212992, 256K or 4M (below 2G), not '4Q' (see 'mpps recv --help')"),
        Case(arguments: ["recv", "--cpus", "2-1"], status: 64,
             message: "mpps recv: --cpus: bad CPU range '2-1' in '2-1': the first CPU must not exceed the last (see 'mpps recv --help')"),
        Case(arguments: ["recv", "a:1", "b:2"], status: 64,
             message: "mpps recv: expected at most one ADDR:PORT, got 2 (see 'mpps recv --help')"),
        Case(arguments: ["send", "--payload", "65508"], status: 64,
             message: "mpps send: --payload 65508 is too large for IPv4 target 127.0.0.1:4321: a UDP datagram carries at most 65507 bytes over IPv4 (65527 over IPv6) (see 'mpps send --help')"),
        Case(arguments: ["send", "[::1]:9", "--payload", "65528"], status: 64,
             message: "mpps send: --payload must be a whole number from 0 to 65527, not '65528' (see 'mpps send --help')"),
        Case(arguments: ["send", "--rate", "0"], status: 64,
             message: "mpps send: --rate must be a rate from 1 to 1G datagrams per second such as 100000, 500k or 1.5M, not '0' (leave --rate out to send as fast as possible) (see 'mpps send --help')"),
        Case(arguments: ["send", "--count", "0"], status: 64,
             message: "mpps send: --count must be a whole number of datagrams from 1 to 18446744073709551615 such as 200000 or 200k, not '0' (see 'mpps send --help')"),
        Case(arguments: ["send", "--batch", "2000"], status: 64,
             message: "mpps send: --batch must be a whole number from 1 to 1024 (the kernel's UIO_MAXIOV), not '2000' (see 'mpps send --help')"),
        Case(arguments: ["send", "no-such-host.invalid:1"], status: 64,
             message: "mpps send: bad target: cannot resolve host 'no-such-host.invalid' in 'no-such-host.invalid:1' ("),
        Case(arguments: ["send", "--src-port", "0"], status: 64,
             message: "mpps send: --src-port must be a whole number from 1 to 65535, not '0' (see 'mpps send --help')"),
        Case(arguments: ["send", "--duration"], status: 64,
             message: "mpps send: option --duration needs a value: --duration SECONDS (see 'mpps send --help')"),
        Case(arguments: ["send", "--gso", "0"], status: 64,
             message: "mpps send: --gso must be a whole number from 1 to 128 (the kernel's UDP_MAX_SEGMENTS), not '0' (see 'mpps send --help')"),
        Case(arguments: ["send", "--gso", "129"], status: 64,
             message: "mpps send: --gso must be a whole number from 1 to 128 (the kernel's UDP_MAX_SEGMENTS), not '129' (see 'mpps send --help')"),
        Case(arguments: ["send", "--gso", "64", "--payload", "1400"], status: 64,
             message: "mpps send: --gso 64 × --payload 1400 is 89600 bytes, more than one GSO message carries (65507): use --gso 46 or less (see 'mpps send --help')"),
        Case(arguments: ["send", "--gso", "8", "--payload", "0"], status: 64,
             message: "mpps send: --gso needs a payload of at least 1 byte: GSO cuts messages into datagrams of --payload bytes (see 'mpps send --help')"),
        Case(arguments: ["recv", "--gro=1"], status: 64,
             message: "mpps recv: option --gro takes no value (see 'mpps recv --help')"),
        Case(arguments: ["send", "--payload-pattern", "random"], status: 64,
             message: "mpps send: --payload-pattern must be 'sequence' or 'zero', not 'random' (see 'mpps send --help')"),
        Case(arguments: ["demo", "extra"], status: 64,
             message: "mpps demo: takes no positional arguments, got 'extra' (see 'mpps demo --help')"),
    ]

    /// Flag values at and beyond their bounds: each once trapped, spun or failed
    /// later; now one line and status 64 before anything starts.
    static let boundCases: [Case] = [
        // 0.1 ns: the monitor's interval was 0 ns and its loop spun, deaf to Ctrl-C and --duration.
        Case(arguments: ["recv", "127.0.0.1:0", "--interval", "0.0000000001"], status: 64,
             message: "mpps recv: --interval must be a number of seconds from 0.001 to 31536000 (365 days) such as 6 or 0.5, not '0.0000000001' (see 'mpps recv --help')"),
        Case(arguments: ["recv", "--interval", "0.0009"], status: 64,
             message: "mpps recv: --interval must be a number of seconds from 0.001 to 31536000 (365 days) such as 6 or 0.5, not '0.0009' (see 'mpps recv --help')"),
        Case(arguments: ["send", "--interval", "0"], status: 64,
             message: "mpps send: --interval must be a number of seconds from 0.001 to 31536000 (365 days) such as 6 or 0.5, not '0' (see 'mpps send --help')"),
        Case(arguments: ["recv", "--duration", "31536000.5"], status: 64,
             message: "mpps recv: --duration must be a number of seconds from 0.001 to 31536000 (365 days) such as 6 or 0.5, not '31536000.5' (see 'mpps recv --help')"),
        Case(arguments: ["send", "--duration", "0.0001"], status: 64,
             message: "mpps send: --duration must be a number of seconds from 0.001 to 31536000 (365 days) such as 6 or 0.5, not '0.0001' (see 'mpps send --help')"),
        // Both trapped converting the rate to an integer.
        Case(arguments: ["send", "--rate", "99999999999999999999999G"], status: 64,
             message: "mpps send: --rate must be a rate from 1 to 1G datagrams per second such as 100000, 500k or 1.5M, not '99999999999999999999999G' (leave --rate out to send as fast as possible) (see 'mpps send --help')"),
        Case(arguments: ["send", "--rate", "1.5G"], status: 64,
             message: "mpps send: --rate must be a rate from 1 to 1G datagrams per second such as 100000, 500k or 1.5M, not '1.5G' (leave --rate out to send as fast as possible) (see 'mpps send --help')"),
        Case(arguments: ["send", "--rate", "0.5"], status: 64,
             message: "mpps send: --rate must be a rate from 1 to 1G datagrams per second such as 100000, 500k or 1.5M, not '0.5' (leave --rate out to send as fast as possible) (see 'mpps send --help')"),
        Case(arguments: ["send", "--count", "18446744073709551616"], status: 64,
             message: "mpps send: --count must be a whole number of datagrams from 1 to 18446744073709551615 such as 200000 or 200k, not '18446744073709551616' (see 'mpps send --help')"),
        Case(arguments: ["recv", "--count", "1.5"], status: 64,
             message: "mpps recv: --count must be a whole number of datagrams from 1 to 18446744073709551615 such as 200000 or 200k, not '1.5' (see 'mpps recv --help')"),
        Case(arguments: ["recv", "--rcvbuf", "4G"], status: 64,
             message: "mpps recv: --rcvbuf must be a size in bytes such as 212992, 256K or 4M (below 2G), not '4G' (see 'mpps recv --help')"),
        Case(arguments: ["recv", "--rcvbuf", "99999999999T"], status: 64,
             message: "mpps recv: --rcvbuf must be a size in bytes such as 212992, 256K or 4M (below 2G), not '99999999999T' (see 'mpps recv --help')"),
        Case(arguments: ["recv", "--rcvbuf", "99999999999999999999G"], status: 64,
             message: "mpps recv: --rcvbuf must be a size in bytes such as 212992, 256K or 4M (below 2G), not '99999999999999999999G' (see 'mpps recv --help')"),
        Case(arguments: ["demo", "--seconds", "0.0001"], status: 64,
             message: "mpps demo: --seconds must be a number of seconds from 0.001 to 31536000 (365 days) such as 6 or 0.5, not '0.0001' (see 'mpps demo --help')"),
        Case(arguments: ["demo", "--rate", "2G"], status: 64,
             message: "mpps demo: --rate must be a rate from 1 to 1G datagrams per second such as 100000, 500k or 1.5M, not '2G' (see 'mpps demo --help')"),
    ]

    @Test(arguments: boundCases)
    func boundsAreStated(_ badCase: Case) throws {
        let result = try Program.run("mpps", badCase.arguments, within: 10)
        #expect(result.status == badCase.status, "\(result.stderr)")
        #expect(result.stdout == "")
        #expect(result.stderr == badCase.message + "\n")
    }

    /// Values at the bounds are taken: the longest count and duration, the highest rate.
    @Test func theBoundsThemselvesAreTaken() throws {
        let port = freePort()
        let receiver = try Program("mpps", ["recv", "127.0.0.1:\(port)", "--count", "18446744073709551615",
                                            "--duration", "31536000", "--interval", "0.001", "--json"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        let sender = try Program.run("mpps", ["send", "127.0.0.1:\(port)", "--rate", "1G", "--count", "1000", "--json"])
        #expect(sender.status == 0, "\(sender.stderr)")
        receiver.send(SIGINT)
        #expect(receiver.finish(within: 10) == 0, "\(receiver.stderr)")
        let summary = try #require(receiver.stdoutLines.last.flatMap(jsonObject))
        #expect(summary["type"] as? String == "summary")
        #expect(summary["packets"] as? Int == 1000, "\(summary)")
        // Every millisecond a line: many, but each a whole JSON line.
        #expect(receiver.stdoutLines.allSatisfy { jsonObject($0) != nil })
    }

    @Test(arguments: usageCases)
    func usageErrors(_ badCase: Case) throws {
        let result = try Program.run("mpps", badCase.arguments)
        #expect(result.status == badCase.status)
        #expect(result.stdout == "")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(result.stderr)")
        if badCase.message.hasSuffix("(") {
            #expect(result.stderr.hasPrefix(badCase.message), "\(result.stderr)")
        } else {
            #expect(result.stderr == badCase.message + "\n")
        }
    }

    @Test func theReceiveBufferDefaultsTo4MiBAndZeroKeepsTheKernels() throws {
        let kernelDefault = try String(contentsOfFile: "/proc/sys/net/core/rmem_default", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let rmemMax = try #require(Int(try String(contentsOfFile: "/proc/sys/net/core/rmem_max", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        // Linux doubles the request; without CAP_NET_ADMIN it caps the request at rmem_max first.
        let granted = 2 * (getuid() == 0 ? 4 << 20 : min(4 << 20, rmemMax))
        for (extra, expected) in [([String](), "\(granted)"), (["--rcvbuf", "0"], kernelDefault)] {
            let result = try Program.run("mpps", ["recv", "127.0.0.1:\(freePort())", "--duration", "0.2"] + extra)
            #expect(result.status == 0)
            #expect(result.stderr.contains(", receive buffer \(expected) bytes; Ctrl-C stops"), "\(extra): \(result.stderr)")
        }
    }

    @Test func aCPUThisProcessCannotUse() throws {
        let allowed = CPUList.allowed()
        let missing = (allowed.cpus.last ?? 0) + 1
        let result = try Program.run("mpps", ["recv", "--cpus", "\(missing)"])
        #expect(result.status == 64)
        #expect(result.stderr == "mpps recv: --cpus: CPU \(missing) is not available to this process: choose from \(allowed) (see 'mpps recv --help')\n")
    }

    @Test func aPortInUse() throws {
        let holder = try UDPSocket(family: .inet)
        try holder.bind(to: SocketAddress(ipv4: 127, 0, 0, 1, port: 0))
        let address = try holder.localAddress()
        let result = try Program.run("mpps", ["recv", "\(address)", "--duration", "1"])
        #expect(result.status == 1)
        #expect(result.stderr == "cannot listen on \(address): address already in use (another program holds it: give every receiver --reuseport, or choose another port)\n")
    }

    /// The first port an unprivileged user may bind (`ip_unprivileged_port_start`; 1024 unless changed).
    static let unprivilegedStart = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_unprivileged_port_start", encoding: .utf8))
        .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 1024

    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") && Self.unprivilegedStart > 80,
                   "needs root and setpriv (util-linux) to drop to an unprivileged user, and port 80 privileged"))
    func aPrivilegedPortWithoutPrivilege() throws {
        let setpriv = "/usr/bin/setpriv"
        let result = try Program.run("mpps", ["recv", "127.0.0.1:80", "--duration", "1"],
                                     prefix: [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr == "cannot listen on 127.0.0.1:80: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE: choose a port of 1024 or more)\n")
    }

    @Test(arguments: [["recv", "--help"], ["send", "--help"], ["demo", "--help"], ["help", "recv"], ["--help"]])
    func helpExplainsEveryOption(_ arguments: [String]) throws {
        let result = try Program.run("mpps", arguments)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout.hasPrefix("usage: mpps"), "\(result.stdout)")
        if arguments.first == "recv" || arguments.last == "recv" {
            for option in ["--threads", "--reuseport", "--cpus", "--batch", "--rcvbuf", "--duration", "--count", "--interval", "--json", "--quiet"] {
                #expect(result.stdout.contains(option), "\(option)")
            }
        }
        if arguments.first == "send" {
            for option in ["--threads", "--src-port", "--payload", "--batch", "--cpus", "--duration", "--count", "--rate", "--json"] {
                #expect(result.stdout.contains(option), "\(option)")
            }
            #expect(result.stdout.contains("datagrams per second over all threads, 1 to 1G"))
        }
        if arguments.first == "recv" || arguments.last == "recv" || arguments.first == "send" {
            // The bounds the parser enforces are the ones the help states.
            #expect(result.stdout.contains("stop after this long, 0.001 to 31536000 (365 days)"))
            #expect(result.stdout.contains("seconds between report lines, 0.001 to 31536000"))
            #expect(result.stdout.contains("1 to 2^64-1"))
        }
    }
}

/// `mpps echo`'s bad flags: one line, status 64.
@Suite struct EchoBadInputTests {
    @Test(arguments: [
        (["echo", "--threads", "0"], "mpps echo: --threads must be a whole number from 1 to 1024, not '0' (see 'mpps echo --help')"),
        (["echo", "--steer", "random"], "mpps echo: --steer needs --reuseport: it chooses among the sockets of an SO_REUSEPORT group (see 'mpps echo --help')"),
        (["echo", "a:1", "b:2"], "mpps echo: expected at most one ADDR:PORT, got 2 (see 'mpps echo --help')"),
        (["echo", "--batch", "1025"], "mpps echo: --batch must be a whole number from 1 to 1024 (the kernel's UIO_MAXIOV), not '1025' (see 'mpps echo --help')"),
        (["echo", "--frob"], "mpps echo: unknown option '--frob' (see 'mpps echo --help')"),
        (["echo", "--gso"], "mpps echo: --gso needs --gro: the echo answers with GSO the requests GRO coalesced (see 'mpps echo --help')"),
        (["echo", "--gro", "--gso", "--sockperf"],
         "mpps echo: --gso cannot be used with --sockperf: each sockperf reply's header is changed one by one (see 'mpps echo --help')"),
    ])
    func oneLineAndStatus64(arguments: [String], message: String) throws {
        let result = try Program.run("mpps", arguments)
        #expect(result.status == 64)
        #expect(result.stdout == "")
        #expect(result.stderr == message + "\n")
    }
}
