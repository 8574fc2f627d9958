#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NetLab
import Testing

/// Where the CPU goes, as `mpps recv --json` and `mpps demo` report it.
@Suite(.serialized) struct CPUSharesTests {
    /// The JSON objects of a run's standard output.
    static func objects(_ output: String) -> [[String: Any]] {
        output.split(separator: "\n").compactMap { jsonObject(String($0)) }
    }

    /// A receiver kept busy by a GSO sender: its threads' CPU seconds, interval by interval, add up to
    /// the summary's, and to within 10 % of the whole process's user + system time (/proc/self/stat);
    /// at least 2 clock ticks (0.02 s, /proc's resolution) when the tests beside it leave the receiver little CPU.
    @Test func threadsCPUSecondsAddUpToTheProcesss() throws {
        let port = freePort()
        let receiver = try Program("mpps", ["recv", "127.0.0.1:\(port)", "--duration", "30", "--cpus", "1", "--json"])
        #expect(receiver.waitForReady())
        let sender = try Program.run("mpps", ["send", "127.0.0.1:\(port)", "--gso", "64", "--duration", "2.5", "--cpus", "0", "--json"])
        #expect(sender.status == 0, "\(sender.stderr)")
        receiver.send(SIGINT)
        #expect(receiver.finish(within: 10) == 0, "\(receiver.stderr)")
        let objects = Self.objects(receiver.stdout)
        let intervals = objects.filter { $0["type"] as? String == "interval" }
        let summary = try #require(objects.last)
        #expect(summary["type"] as? String == "summary")
        #expect(intervals.count >= 2)
        var perInterval = 0.0
        for interval in intervals {
            let threads = try #require(interval["threads"] as? [[String: Any]])
            for thread in threads {
                perInterval += try #require(thread["cpu_user_s"] as? Double) + #require(thread["cpu_system_s"] as? Double)
            }
            let cpus = try #require(interval["cpus"] as? [[String: Any]])
            #expect(cpus.count == sysconf(Int32(_SC_NPROCESSORS_ONLN)))
            for cpu in cpus {
                let parts = ["user", "system", "softirq", "irq", "iowait", "steal", "idle"].compactMap { cpu[$0] as? Double }
                #expect(parts.count == 7)
                #expect(abs(parts.reduce(0, +) - 1) < 0.001, "shares of an interval add up to 1: \(cpu)")
            }
        }
        let threads = try #require(summary["cpu_user_s"] as? Double) + #require(summary["cpu_system_s"] as? Double)
        let process = try #require(summary["cpu_process_s"] as? Double)
        #expect(abs(perInterval - threads) < 0.0011 * Double(intervals.count + 1), "intervals \(perInterval) s, summary \(threads) s")
        #expect(threads >= 0.1, "a receiver fed 2.5 s by a GSO sender works: \(threads) s")
        #expect(abs(threads - process) <= max(0.1 * process, 0.02), "receiving threads \(threads) s, the process \(process) s")
        let packets = try #require(summary["packets"] as? Int)
        let perDatagram = try #require(summary["cpu_ns_per_datagram"] as? Double)
        #expect(abs(perDatagram - threads * 1e9 / Double(packets)) < 0.1 + perDatagram * 0.001)
    }

    /// The article's three steps in one command: each stage announced, each account closed exactly.
    @Test func demoRunsThreeStagesEachAccountClosed() throws {
        let start = Date()
        let result = try Program.run("mpps", ["demo", "--seconds", "0.5", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Date().timeIntervalSince(start) < 15)
        let objects = Self.objects(result.stdout)
        let stages = objects.filter { $0["type"] as? String == "stage" }
        #expect(stages.map { $0["name"] as? String } == ["plain", "gso", "gro"])
        #expect(stages.map { $0["number"] as? Int } == [1, 2, 3])
        let accounts = objects.filter { $0["type"] as? String == "account" }
        let summaries = objects.filter { $0["type"] as? String == "summary" }
        #expect(accounts.count == 3 && summaries.count == 3)
        for (account, summary) in zip(accounts, summaries) {
            let sent = try #require(account["sent"] as? Int)
            let received = try #require(account["received"] as? Int)
            #expect(sent > 0)
            #expect(account["lost"] as? Int == sent - received, "sent = received + lost: \(account)")
            #expect(account["other_drops"] as? Int == 0, "every lost datagram explained: \(account)")
            #expect(summary["packets"] as? Int == received)
            #expect(summary["cpu_ns_per_datagram"] is Double)
        }
        // The human form: a sentence per stage, the closing line of rates.
        let text = try Program.run("mpps", ["demo", "--seconds", "0.2"])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("stage ") }.map { String($0.prefix(14)) } == ["stage 1/3 plai", "stage 2/3 gso:", "stage 3/3 gro:"])
        #expect(lines.filter { $0.hasPrefix("account: ") }.count == 3)
        #expect(lines.last?.hasPrefix("received by one thread: plain ") == true)
    }

    /// The kernel's receive work steered (RPS) onto the receiving thread's own CPU by a veth in a
    /// namespace this test makes, a GSO sender inside it: that CPU fills with softirq and the finding says so.
    @Test(.enabled(if: VethLab.unavailableReason() == nil, "needs root, ip (iproute2) and python3 for a network namespace"),
          .enabled(if: sysconf(Int32(_SC_NPROCESSORS_ONLN)) >= 2, "needs 2 CPUs, one for the sender and one for the receiver and the kernel's work"),
          // The finding needs the thread starved (under half its CPU). Under TSan the thread costs several
          // times more, and the softirq ticks that land while it runs are charged to it too: in CI it read
          // 0 findings with cpu1 at 68-76 % softirq. The rule itself is tested on given shares (CPUDiagnosisTests).
          .enabled(if: !Program.isThreadSanitized, "a TSan-built receiving thread is too costly to be starved"))
    func softirqOnTheReceiversCPUIsFound() throws {
        let lab = try VethLab()
        defer { lab.remove() }
        // Every RX queue's receive work to CPU 1, where the receiving thread is pinned.
        for queue in try FileManager.default.contentsOfDirectory(atPath: "/sys/class/net/\(lab.hostEnd)/queues") where queue.hasPrefix("rx-") {
            try "2".write(toFile: "/sys/class/net/\(lab.hostEnd)/queues/\(queue)/rps_cpus", atomically: false, encoding: .utf8)
        }
        let port = 4000 + Int(getpid()) % 1000
        let receiver = try Program("mpps", ["recv", "\(lab.hostAddress):\(port)", "--duration", "30", "--cpus", "1",
                                            "--interval", "0.5", "--json"])
        #expect(receiver.waitForReady())
        let sender = try Program.run("mpps", ["send", "\(lab.hostAddress):\(port)", "--gso", "64", "--threads", "2", "--flows", "8",
                                              "--duration", "2", "--cpus", "0", "--json"],
                                     prefix: [VethLab.which("ip")!, "netns", "exec", lab.namespace])
        #expect(sender.status == 0, "\(sender.stderr)")
        receiver.send(SIGINT)
        #expect(receiver.finish(within: 10) == 0, "\(receiver.stderr)")
        // Any half second of the flood: where other programs share CPU 1 too, ksoftirqd gets only its
        // fair share of it, and a whole run's average can fall below the thresholds.
        let objects = Self.objects(receiver.stdout).filter { $0["type"] as? String == "interval" || $0["type"] as? String == "summary" }
        let findings = objects.flatMap { ($0["findings"] as? [String]) ?? [] }
        let cpus = objects.map { ($0["cpus"] as? [[String: Any]])?.first { $0["cpu"] as? Int == 1 } ?? [:] }
        #expect(findings.contains { $0.hasPrefix("receive livelock on cpu1: softirq takes ") && $0.hasSuffix(
            ": move the thread to another CPU (--cpus), or keep RPS and IRQs off cpu1") },
            "findings \(findings), cpu1 \(cpus)")
    }
}
