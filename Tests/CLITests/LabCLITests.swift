#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import NetLab

/// `mpps lab` end to end: every experiment on loopback, and in namespaces as
/// root, leaving no namespace, device or child process behind, Ctrl-C included.
@Suite(.serialized) struct LabCLITests {
    static let names = ["naive", "pinned", "two-senders", "several-ips", "shared-socket", "reuseport", "many-flows",
                        "steer-cpu", "steer-random", "gso", "gro", "gro-no-wait"]
    /// With --netns the af-xdp experiments (a GSO, a sendmmsg and an AF_XDP sender into recv --xdp) run beside gso.
    static let netnsNames = names.flatMap { $0 == "gso" ? ["gso", "af-xdp", "af-xdp-sendmmsg", "af-xdp-send"] : [$0] }

    @Test func everyExperimentOnLoopbackAsJSON() throws {
        let port = freePort()
        let start = Date()
        let result = try Program.run("mpps", ["lab", "--seconds", "1", "--json", "--port", "\(port)"], within: 60)
        #expect(Date().timeIntervalSince(start) < 60)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "")
        let objects = result.stdout.split(separator: "\n").map { jsonObject(String($0)) }
        #expect(objects.allSatisfy { $0 != nil }, "only JSON on stdout: \(result.stdout)")
        JSONDocs.expectDocumented(lines: result.stdout, section: "lab")
        let experiments = objects.compactMap { $0 }.filter { $0["type"] as? String == "experiment" }
        #expect(experiments.map { $0["name"] as? String } == Self.names)
        for experiment in experiments {
            let name = experiment["name"] as? String ?? "?"
            let receiver = try #require(experiment["receiver"] as? [String])
            let sender = try #require(experiment["sender"] as? [String])
            #expect(Array(receiver.prefix(3)) == ["mpps", "recv", "0.0.0.0:\(port)"], "\(name)")
            #expect(Array(sender.prefix(2)) == ["mpps", "send"], "\(name)")
            #expect(experiment["error"] == nil, "\(name): \(experiment["error"] ?? "")")
            if experiment["skipped"] != nil { continue }
            let sent = try #require(experiment["sent"] as? Int, "\(name)")
            let received = try #require(experiment["received"] as? Int, "\(name)")
            let lost = try #require(experiment["lost"] as? Int, "\(name)")
            // On loopback every datagram is accounted for: received or lost, nothing else.
            #expect(received > 0, "\(name)")
            #expect(sent == received + lost, "\(name): \(experiment)")
            #expect((experiment["received_pps"] as? Double ?? 0) > 0, "\(name)")
            let drops = try #require(experiment["drops"] as? [String: Any], "\(name)")
            for key in ["socket", "rcvbuf_errors", "in_errors", "mem_errors", "no_ports", "backlog"] {
                #expect(drops[key] is Int, "\(name): drops.\(key)")
            }
            if !receiver.contains("--gro") {
                // On loopback a datagram is lost only where a counter sees it: at the socket or a backlog.
                #expect((drops["socket"] as? Int ?? 0) + (drops["backlog"] as? Int ?? 0) >= lost, "\(name): \(drops)")
            }
            let shares = try #require(experiment["shares"] as? [Double], "\(name)")
            let threads = receiver.firstIndex(of: "--threads").map { Int(receiver[$0 + 1])! } ?? 1
            #expect(shares.count == threads, "\(name)")
            #expect(abs(shares.reduce(0, +) - 1) < 0.001, "\(name): \(shares)")
        }
        let summary = try #require(objects.last ?? nil)
        #expect(summary["type"] as? String == "summary")
        #expect(summary["experiments"] as? Int == Self.names.count)
        #expect((summary["completed"] as? Int ?? 0) + (summary["skipped"] as? Int ?? 0) == Self.names.count)
        #expect(summary["failed"] as? Int == 0)
        #expect(summary["place"] as? String == "loopback")
        #expect(summary["stop"] as? String == "done")
        #expect((summary["notes"] as? [String])?.contains { $0.contains("mpps doctor") } == true)
        #expect(Self.processes(mentioning: ":\(port)").isEmpty)
    }

    @Test(.enabled(if: VethLab.unavailableReason() == nil, "needs root, ip (iproute2) and python3 for a network namespace")) func namespacesAreRemovedAfterARun() throws {
        let port = freePort()
        let lab = try Program("mpps", ["lab", "--netns", "--seconds", "1", "--json", "--port", "\(port)"])
        let pid = lab.process.processIdentifier
        let names = ["mpps-\(pid)-tx", "mpps-\(pid)-rx"]
        // While it runs, the namespaces are there and the children run inside them.
        #expect(lab.waitFor(seconds: 20) { _ in Set(Self.namespaces()).isSuperset(of: names) }, "\(lab.stderr)")
        #expect(lab.finish(within: 60) == 0, "\(lab.stderr)")
        let objects = lab.stdoutLines.compactMap(jsonObject)
        let experiments = objects.filter { $0["type"] as? String == "experiment" }
        #expect(experiments.map { $0["name"] as? String } == Self.netnsNames)
        #expect(experiments.allSatisfy { $0["error"] == nil }, "\(lab.stdout)")
        for name in ["af-xdp", "af-xdp-sendmmsg", "af-xdp-send"] {
            let xdp = try #require(experiments.first { $0["name"] as? String == name })
            #expect((xdp["received"] as? Int ?? 0) > 0, "\(xdp)")
        }
        let xdpSender = try #require(experiments.first { $0["name"] as? String == "af-xdp-send" }?["sender"] as? [String])
        #expect(xdpSender.contains("--xdp") && !xdpSender.contains("--gso"), "\(xdpSender)")
        let first = try #require(experiments.first)
        #expect((first["sender"] as? [String])?.prefix(6) == ["ip", "netns", "exec", "mpps-\(pid)-tx", "mpps", "send"])
        #expect((first["receiver"] as? [String])?.prefix(6) == ["ip", "netns", "exec", "mpps-\(pid)-rx", "mpps", "recv"])
        #expect((first["received"] as? Int ?? 0) > 0)
        #expect(objects.last?["place"] as? String == "netns")
        Self.expectNothingLeft(pid: pid, port: port)
    }

    @Test(.enabled(if: VethLab.unavailableReason() == nil, "needs root, ip (iproute2) and python3 for a network namespace"), arguments: [SIGINT, SIGTERM])
    func aSignalMidRunLeavesNothingBehind(signal: Int32) throws {
        let port = freePort()
        let lab = try Program("mpps", ["lab", "--netns", "--seconds", "2", "--port", "\(port)"])
        let pid = lab.process.processIdentifier
        // Mid-run: the first experiment has ended and the second's processes run.
        #expect(lab.waitFor(seconds: 20) { $0.stdout.contains("1/15 naive") }, "\(lab.stdout)\(lab.stderr)")
        #expect(lab.waitFor(seconds: 5) { _ in Self.processes(mentioning: ":\(port)").count >= 2 })
        lab.send(signal)
        #expect(lab.finish(within: 15) == 0, "\(lab.stderr)")
        #expect(lab.stdout.contains("stopped by a signal after 2 of 15 experiments")
                || lab.stdout.contains("stopped by a signal after 1 of 15 experiments"), "\(lab.stdout)")
        #expect(lab.stdout.contains("experiment "), "the table of what ran: \(lab.stdout)")
        Self.expectNothingLeft(pid: pid, port: port)
    }

    @Test func aSignalOnLoopbackStopsTheChildrenToo() throws {
        let port = freePort()
        let lab = try Program("mpps", ["lab", "--seconds", "3", "--port", "\(port)", "--json"])
        #expect(lab.waitFor(seconds: 10) { _ in Self.processes(mentioning: ":\(port)").count >= 2 })
        lab.send(SIGINT)
        #expect(lab.finish(within: 10) == 0, "\(lab.stderr)")
        let summary = try #require(lab.stdoutLines.last.flatMap(jsonObject))
        #expect(summary["type"] as? String == "summary")
        #expect(summary["stop"] as? String == "signal")
        #expect(Self.processes(mentioning: ":\(port)").isEmpty)
    }

    /// A run killed with SIGKILL leaves its namespaces; the next lab or ndr with --netns
    /// removes them, saying so in one line, and never touches a running mpps's.
    @Test(.enabled(if: VethLab.unavailableReason() == nil, "needs root, ip (iproute2) and python3 for a network namespace"),
          arguments: [["lab", "--netns", "--seconds", "0.1", "--json"],
                      ["ndr", "--netns", "--trial", "0.1", "--steps", "1", "--max", "10k", "--json"]])
    func namespacesLeftByAKilledRunAreRemoved(_ arguments: [String]) throws {
        // A running mpps whose pid names a namespace: it must survive.
        let running = try Program("mpps", ["recv", "127.0.0.1:\(freePort())", "--duration", "60", "--json"])
        #expect(running.waitForReady(), "\(running.stderr)")
        let live = "mpps-\(running.process.processIdentifier)-tx"
        _ = try VethLab.execute("ip", ["netns", "add", live])
        defer {
            _ = try? VethLab.execute("ip", ["netns", "del", live])
            running.send(SIGINT)
            _ = running.finish(within: 10)
        }
        // Another mpps --netns running meanwhile (the ndr suite's) may remove a dead run's
        // namespaces first and print the line itself: then try again with another.
        var line: String?
        for _ in 0..<3 {
            let dead = try Self.deadProcessID()
            let left = ["mpps-\(dead)-tx", "mpps-\(dead)-rx"]
            for name in left { _ = try VethLab.execute("ip", ["netns", "add", name]) }
            defer { for name in left { _ = try? VethLab.execute("ip", ["netns", "del", name]) } }
            let result = try Program.run("mpps", arguments, within: 60)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(Set(Self.namespaces()).isDisjoint(with: left), "\(Self.namespaces())")
            let expected = "mpps \(arguments[0]): removed 2 namespaces left by an earlier run (pid \(dead), no longer running)"
            let lines = result.stderr.split(separator: "\n").map(String.init)
            if lines.contains(expected) {
                line = expected
                #expect(lines == [expected], "one line: \(result.stderr)")
                break
            }
        }
        #expect(line != nil, "no run of mpps \(arguments[0]) said it removed the namespaces")
        #expect(Self.namespaces().contains(live), "a running mpps's namespace was removed")
    }

    /// The id of a process that ran and has been reaped: no process has it now.
    static func deadProcessID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        let pid = process.processIdentifier
        guard !FileManager.default.fileExists(atPath: "/proc/\(pid)") else { throw ProgramError("pid \(pid) was reused at once") }
        return pid
    }

    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "needs root and setpriv (util-linux) to drop to an unprivileged user"))
    func withoutRootNetnsSaysSoInOneLine() throws {
        let setpriv = "/usr/bin/setpriv"
        for command in ["lab", "ndr"] {
            let result = try Program.run("mpps", [command, "--netns"], prefix: [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"])
            #expect(result.status == 1)
            #expect(result.stdout == "")
            #expect(result.stderr == "mpps \(command) --netns needs root to create network namespaces\n")
        }
    }

    @Test(arguments: [
        (["lab", "extra"], "mpps lab: takes no positional arguments, got 'extra' (see 'mpps lab --help')"),
        (["lab", "--seconds", "0"], "mpps lab: --seconds must be a number of seconds from 0.1 to 600 (shorter experiments time the sender's start, not its rate) such as 6 or 0.5, not '0' (see 'mpps lab --help')"),
        (["lab", "--seconds", "601"], "mpps lab: --seconds must be a number of seconds from 0.1 to 600 (shorter experiments time the sender's start, not its rate) such as 6 or 0.5, not '601' (see 'mpps lab --help')"),
        // It ran, and every experiment failed: its children refused "--duration 0".
        (["lab", "--seconds", "0.0001"], "mpps lab: --seconds must be a number of seconds from 0.1 to 600 (shorter experiments time the sender's start, not its rate) such as 6 or 0.5, not '0.0001' (see 'mpps lab --help')"),
        (["ndr", "--trial", "0.0001"], "mpps ndr: --trial must be a number of seconds from 0.1 to 600 (shorter trials pass without the rate having been offered) such as 6 or 0.5, not '0.0001' (see 'mpps ndr --help')"),
        (["ndr", "--trial", "0.099"], "mpps ndr: --trial must be a number of seconds from 0.1 to 600 (shorter trials pass without the rate having been offered) such as 6 or 0.5, not '0.099' (see 'mpps ndr --help')"),
        (["ndr", "--trial", "601"], "mpps ndr: --trial must be a number of seconds from 0.1 to 600 (shorter trials pass without the rate having been offered) such as 6 or 0.5, not '601' (see 'mpps ndr --help')"),
        // It trapped converting the rate to an integer.
        (["ndr", "--max", "20000000000G"], "mpps ndr: --max must be a rate from 1 to 1G datagrams per second such as 100000, 500k or 1.5M, not '20000000000G' (see 'mpps ndr --help')"),
        (["ndr", "--min", "0.5"], "mpps ndr: --min must be a rate from 1 to 1G datagrams per second such as 100000, 500k or 1.5M, not '0.5' (see 'mpps ndr --help')"),
        (["ndr", "--loss", "nan"], "mpps ndr: --loss must be a fraction from 0 to 1 such as 0 or 0.001, not 'nan' (see 'mpps ndr --help')"),
        (["lab", "--port", "0"], "mpps lab: --port must be a whole number from 1 to 65535, not '0' (see 'mpps lab --help')"),
        (["ndr", "--min", "500k", "--max", "100k"], "mpps ndr: --min 500k is above --max 100k: give --min at most --max (see 'mpps ndr --help')"),
        (["ndr", "--max", "fast"], "mpps ndr: --max must be a rate from 1 to 1G datagrams per second such as 100000, 500k or 1.5M, not 'fast' (see 'mpps ndr --help')"),
        (["ndr", "--loss", "2"], "mpps ndr: --loss must be a fraction from 0 to 1 such as 0 or 0.001, not '2' (see 'mpps ndr --help')"),
        (["ndr", "--steps", "0"], "mpps ndr: --steps must be a whole number from 1 to 30, not '0' (see 'mpps ndr --help')"),
        (["ndr", "a:1", "b:2"], "mpps ndr: expected at most one TARGET, got 2 (see 'mpps ndr --help')"),
        (["ndr", "127.0.0.1:4321", "--netns"], "mpps ndr: TARGET and --netns exclude each other: with --netns the receiver listens on 198.18.0.1:4321 in its own namespace (see 'mpps ndr --help')"),
    ])
    func usageErrors(_ arguments: [String], _ message: String) throws {
        let result = try Program.run("mpps", arguments)
        #expect(result.status == 64)
        #expect(result.stdout == "")
        #expect(result.stderr == message + "\n")
    }

    @Test(arguments: [["lab", "--help"], ["help", "lab"], ["ndr", "--help"], ["help", "ndr"]])
    func helpExplainsEveryOption(_ arguments: [String]) throws {
        let result = try Program.run("mpps", arguments)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let command = arguments.first == "help" ? arguments[1] : arguments[0]
        #expect(result.stdout.hasPrefix("usage: mpps \(command)"), "\(result.stdout)")
        let options = command == "lab" ? ["--seconds", "--port", "--netns", "--json"]
            : ["--min", "--max", "--loss", "--trial", "--steps", "--gso", "--netns", "--json"]
        for option in options { #expect(result.stdout.contains(option), "\(option)") }
        if command == "lab" {
            for name in Self.names { #expect(result.stdout.contains(name), "\(name)") }
        }
    }

    @Test func theOverviewListsLabAndNDR() throws {
        let result = try Program.run("mpps", [])
        #expect(result.stdout.contains("\n  lab "))
        #expect(result.stdout.contains("\n  ndr [TARGET]"))
    }

    // MARK: - What a run may leave behind

    /// Network namespace names, as `ip netns list` prints them.
    static func namespaces() -> [String] {
        guard let output = try? VethLab.execute("ip", ["netns", "list"]).output else { return [] }
        return output.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    /// Command lines of running mpps processes that contain `text`.
    static func processes(mentioning text: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { $0.allSatisfy(\.isNumber) }.compactMap { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
            let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return line.contains("mpps") && line.contains(text) && !line.contains(" lab ") ? line : nil
        }
    }

    static func expectNothingLeft(pid: Int32, port: UInt16, sourceLocation: SourceLocation = #_sourceLocation) {
        let left = namespaces().filter { $0.hasPrefix("mpps-\(pid)-") }
        #expect(left.isEmpty, "namespaces left: \(left)", sourceLocation: sourceLocation)
        let links = (try? VethLab.execute("ip", ["-br", "link"]).output) ?? ""
        #expect(!links.contains("mpps\(pid)"), "devices left: \(links)", sourceLocation: sourceLocation)
        #expect(processes(mentioning: ":\(port)").isEmpty, "processes left: \(processes(mentioning: ":\(port)"))",
                sourceLocation: sourceLocation)
    }
}
