#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `mpps recv` fed by `mpps send`, both as built, over loopback.
@Suite(.serialized) struct EndToEndTests {
    @Test(arguments: ["127.0.0.1", "[::1]"])
    func exactCountsArriveIntact(host: String) throws {
        let port = freePort(family: host == "[::1]" ? AF_INET6 : AF_INET)
        let address = "\(host):\(port)"
        let receiver = try Program("mpps", ["recv", address, "--json", "--count", "30000", "--duration", "30", "--rcvbuf", "16M"])  // holds all 30000: no drop under load
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        #expect(receiver.readyLine?["address"] as? String == address)
        let sender = try Program.run("mpps", ["send", address, "--count", "30000", "--rate", "100k", "--payload", "40", "--json"])
        #expect(sender.status == 0, "\(sender.stderr)")
        #expect(receiver.finish(within: 20) == 0, "\(receiver.stderr)")

        let sent = sender.stdout.split(separator: "\n").compactMap { jsonObject(String($0)) }
        #expect(sent.count == sender.stdout.split(separator: "\n").count, "every line of --json output is a JSON object")
        #expect(sent.first?["type"] as? String == "ready", "\(sender.stdout)")
        JSONDocs.expectDocumented(lines: sender.stdout, section: "recv and send")
        JSONDocs.expectDocumented(lines: receiver.stdout, section: "recv and send")
        let sendSummary = try #require(sent.last)
        #expect(sendSummary["type"] as? String == "summary")
        #expect(sendSummary["packets"] as? Int == 30000)
        #expect(sendSummary["bytes"] as? Int == 1_200_000)
        #expect(sendSummary["stop"] as? String == "count")

        let lines = receiver.stdoutLines
        let objects = lines.compactMap(jsonObject)
        #expect(objects.count == lines.count, "every line of --json output is a JSON object: \(lines)")
        #expect(objects.first?["type"] as? String == "ready", "the first line says the receiver is ready: \(lines)")
        let summary = try #require(objects.last)
        #expect(summary["type"] as? String == "summary")
        #expect(summary["packets"] as? Int == 30000)
        #expect(summary["bytes"] as? Int == 1_200_000)
        #expect(summary["stop"] as? String == "count")
        for key in ["seconds", "pps_mean", "pps_min", "pps_max"] { #expect(summary[key] is Double || summary[key] is Int, "\(key)") }
        let intervals = objects.dropFirst().dropLast()
        #expect(intervals.allSatisfy { $0["type"] as? String == "interval" })
        // The intervals add up to the summary.
        #expect(intervals.reduce(0) { $0 + ($1["packets"] as? Int ?? 0) } == 30000)
        let first = try #require(intervals.first)
        for key in ["elapsed", "packets", "bytes", "pps", "threads"] { #expect(first[key] != nil, "\(key)") }
        let threads = try #require(first["threads"] as? [[String: Any]])
        #expect(threads.count == 1)
        #expect(threads[0]["id"] as? Int == 0)
        #expect(threads[0]["cpu"] is Int)
    }

    @Test func reuseportThreadsReportPerThreadLines() throws {
        let port = freePort()
        // 16 MiB holds all 20000 datagrams, so a receiver slowed by load or a sanitizer drops none.
        let receiver = try Program("mpps", ["recv", "127.0.0.1:\(port)", "--threads", "2", "--reuseport", "--count", "20000", "--duration", "30", "--rcvbuf", "16M"])
        #expect(receiver.waitFor(seconds: 10) { $0.stderr.contains("listening on") })
        #expect(receiver.stderr.contains("2 threads (SO_REUSEPORT, a socket each)"), "\(receiver.stderr)")
        let sender = try Program.run("mpps", ["send", "127.0.0.1:\(port)", "--threads", "8", "--count", "20000", "--rate", "100k", "--quiet"])
        #expect(sender.status == 0)
        #expect(sender.stdout.hasPrefix("summary: 20000 datagrams sent, 640000 bytes in "), "\(sender.stdout)")
        #expect(receiver.finish(within: 20) == 0)
        let out = receiver.stdout
        #expect(out.contains("summary: 20000 datagrams received, 640000 bytes in "), "\(out)")
        #expect(out.contains("      #0 cpu "), "per-thread lines: \(out)")
        #expect(out.contains("      #1 cpu "), "per-thread lines: \(out)")
        #expect(out.contains("         per thread: #0 "), "\(out)")
    }

    @Test func gsoSenderAndGROReceiverCountDatagrams() throws {
        let port = freePort()
        let receiver = try Program("mpps", ["recv", "127.0.0.1:\(port)", "--gro", "--json", "--count", "100001", "--duration", "30"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        #expect(receiver.stderr.contains(", GRO, rx-usecs 50, receive buffer"), "\(receiver.stderr)")
        let sender = try Program.run("mpps", ["send", "127.0.0.1:\(port)", "--gso", "64", "--count", "100001", "--rate", "500k", "--json"])
        #expect(sender.status == 0, "\(sender.stderr)")
        #expect(sender.stderr.contains(", GSO 64 per message"), "\(sender.stderr)")
        #expect(receiver.finish(within: 20) == 0, "\(receiver.stderr)")
        let sent = try #require(sender.stdout.split(separator: "\n").last.flatMap { jsonObject(String($0)) })
        let received = try #require(receiver.stdoutLines.last.flatMap(jsonObject))
        #expect(sent["packets"] as? Int == 100001)
        #expect(received["packets"] as? Int == 100001)
        #expect(received["bytes"] as? Int == 3_200_032)
    }

    @Test func theArticlesZeroPayloadCarriesNoHeader() throws {
        let port = freePort()
        let receiver = try Program("mpps", ["recv", "127.0.0.1:\(port)", "--json", "--count", "5000", "--duration", "20"])
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        let sender = try Program.run("mpps", ["send", "127.0.0.1:\(port)", "--count", "5000", "--rate", "50k",
                                              "--payload-pattern", "zero", "--quiet"])
        #expect(sender.status == 0)
        #expect(receiver.finish(within: 10) == 0)
        let summary = try #require(receiver.stdoutLines.last.flatMap(jsonObject))
        #expect(summary["packets"] as? Int == 5000)
        #expect(summary["lost"] == nil, "no headers, no sequence accounting: \(summary)")
        #expect(summary["flows"] == nil)
    }

    @Test func sendCountsExactlyEvenWithNobodyListening() throws {
        let result = try Program.run("mpps", ["send", "127.0.0.1:\(freePort())", "--count", "5000", "--threads", "3", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(result.stdout.split(separator: "\n").last.flatMap { jsonObject(String($0)) })
        #expect(summary["packets"] as? Int == 5000)
        #expect(summary["threads"] as? [Int] == [1667, 1667, 1666])
        #expect((summary["refused"] as? Int ?? 0) > 0, "ECONNREFUSED is counted: \(summary)")
    }

    @Test func rateIsHeld() throws {
        // 2 s at 20k/s: the count is exact and the duration follows from the rate
        // (the upper bound leaves a busy, sanitized machine its stalls).
        let result = try Program.run("mpps", ["send", "127.0.0.1:\(freePort())", "--count", "40000", "--rate", "20k", "--json"])
        let summary = try #require(result.stdout.split(separator: "\n").last.flatMap { jsonObject(String($0)) })
        #expect(summary["packets"] as? Int == 40000)
        let seconds = try #require(summary["seconds"] as? Double)
        #expect(seconds > 1.9 && seconds < 4, "40000 at 20k/s took \(seconds) s")
    }

    @Test func demoAccountsForEveryDatagram() throws {
        let result = try Program.run("mpps", ["demo", "--seconds", "1", "--rate", "50k", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let objects = result.stdout.split(separator: "\n").compactMap { jsonObject(String($0)) }
        for object in objects {
            let type = object["type"] as? String
            JSONDocs.expectDocumented(object, section: type == "stage" || type == "account" ? "demo" : "recv and send")
        }
        // On loopback the kernel delivers in the sender's context (each stage says so): no finding may
        // call a full softirq CPU the kernel's receive limit and send the reader to RSS or RPS.
        let findings = objects.flatMap { $0["findings"] as? [String] ?? [] }
        #expect(!findings.contains { $0.contains("receive work is the limit") || $0.contains("RPS (rps_cpus)") }, "\(findings)")
        let account = try #require(objects.last)
        #expect(account["type"] as? String == "account")
        let sent = try #require(account["sent"] as? Int)
        let received = try #require(account["received"] as? Int)
        // Never faster than asked; slower only when the tests running beside it starve it of CPU.
        #expect(sent >= 25_000 && sent <= 55_000, "1 s at 50k/s sent \(sent)")
        #expect(account["lost"] as? Int == sent - received)
        let summary = try #require(objects.dropLast().last)
        #expect(summary["packets"] as? Int == received)
    }
}
