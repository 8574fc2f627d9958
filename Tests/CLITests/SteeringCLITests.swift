#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import PacketIO

/// `mpps recv --steer`, `mpps send --flows` and target ranges, as built, over loopback.
@Suite(.serialized) struct SteeringCLITests {
    /// Runs a 2-thread reuseport receiver with `receiverOptions` and a sender with
    /// `senderArguments` (targets included) for `count` datagrams; returns both JSON summaries.
    func exchange(receiverOptions: [String], host: String = "127.0.0.1", count: Int,
                  senderArguments: (UInt16) -> [String]) throws -> (received: [String: Any], sent: [String: Any], stderr: String) {
        let port = freePort()
        // 16 MiB per socket holds every datagram, so a receiver slowed by load or a sanitizer drops none.
        let receiver = try Program("mpps", ["recv", "\(host):\(port)", "--json", "--count", "\(count)", "--duration", "30",
                                            "--rcvbuf", "16M"] + receiverOptions)
        #expect(receiver.waitForReady(), "\(receiver.stderr)")
        let sender = try Program.run("mpps", ["send"] + senderArguments(port) + ["--count", "\(count)", "--rate", "100k", "--json"])
        #expect(sender.status == 0, "\(sender.stderr)")
        #expect(receiver.finish(within: 20) == 0, "\(receiver.stderr)")
        let received = try #require(receiver.stdoutLines.last.flatMap(jsonObject))
        let sent = try #require(sender.stdout.split(separator: "\n").last.flatMap { jsonObject(String($0)) })
        return (received, sent, receiver.stderr)
    }

    @Test func randomSteeringSplitsOneFlow() throws {
        let (received, _, stderr) = try exchange(receiverOptions: ["--threads", "2", "--reuseport", "--steer", "random"], count: 20_000) {
            ["127.0.0.1:\($0)"]
        }
        #expect(stderr.contains("2 threads (SO_REUSEPORT, a socket each), steered by random (SO_ATTACH_REUSEPORT_CBPF)"), "\(stderr)")
        #expect(received["packets"] as? Int == 20_000)
        let threads = try #require(received["threads"] as? [Int])
        #expect(threads.count == 2 && threads.allSatisfy { $0 >= 8_000 && $0 <= 12_000 }, "shares \(threads)")
        let incoming = try #require(received["incoming_cpus"] as? [Int])
        #expect(incoming.count == 2 && incoming.allSatisfy { $0 >= -1 }, "\(incoming)")
        #expect(received["flows"] as? Int == 1)
    }

    @Test func theDefaultHashKeepsOneFlowOnOneThread() throws {
        let (received, _, stderr) = try exchange(receiverOptions: ["--threads", "2", "--reuseport", "--steer", "hash"], count: 10_000) {
            ["127.0.0.1:\($0)"]
        }
        #expect(!stderr.contains("steered by"), "\(stderr)")
        #expect((received["threads"] as? [Int])?.sorted() == [0, 10_000], "\(received)")
    }

    @Test(.enabled(if: Set(CPUList.allowed().cpus).isSuperset(of: [0, 1]), "needs CPUs 0 and 1"))
    func cpuSteeringFollowsTheSendersCPU() throws {
        let (received, _, stderr) = try exchange(receiverOptions: ["--threads", "2", "--reuseport", "--steer", "cpu", "--cpus", "0-1"],
                                                 count: 10_000) { ["127.0.0.1:\($0)", "--cpus", "1"] }
        #expect(stderr.contains("on CPUs 0-1, steered by cpu (SO_ATTACH_REUSEPORT_CBPF)"), "\(stderr)")
        #expect(received["threads"] as? [Int] == [0, 10_000], "\(received)")
    }

    @Test func flowsSpreadOverAGroupWithoutLoss() throws {
        let (received, sent, _) = try exchange(receiverOptions: ["--threads", "2", "--reuseport"], count: 20_000) {
            ["127.0.0.1:\($0)", "--threads", "2", "--flows", "32"]
        }
        #expect(sent["threads"] as? [Int] == [10_000, 10_000])
        #expect(received["packets"] as? Int == 20_000)
        #expect(received["flows"] as? Int == 32)
        #expect(received["lost"] as? Int == 0)
        let threads = try #require(received["threads"] as? [Int])
        #expect(threads.allSatisfy { $0 > 0 }, "32 flows left a thread idle: \(threads)")
    }

    @Test func aRangeOfTargetsIsOneTargetPerAddress() throws {
        // All of 127.0.0.0/8 answers on loopback: a receiver on 0.0.0.0 hears 127.0.0.1, .2 and .3.
        let (received, sent, _) = try exchange(receiverOptions: [], host: "0.0.0.0", count: 3_000) { ["127.0.0.1-3:\($0)"] }
        #expect(sent["threads"] as? [Int] == [1_000, 1_000, 1_000])
        #expect(received["packets"] as? Int == 3_000)
        #expect(received["flows"] as? Int == 3)
        #expect(received["lost"] as? Int == 0)
    }

    static let usageCases: [(arguments: [String], message: String)] = [
        (["recv", "--steer", "random"],
         "mpps recv: --steer needs --reuseport: it chooses among the sockets of an SO_REUSEPORT group (see 'mpps recv --help')"),
        (["recv", "--threads", "2", "--steer", "hash"],
         "mpps recv: --steer needs --reuseport: it chooses among the sockets of an SO_REUSEPORT group (see 'mpps recv --help')"),
        (["recv", "--reuseport", "--steer", "rss"],
         "mpps recv: --steer must be 'hash', 'random' or 'cpu', not 'rss' (see 'mpps recv --help')"),
        (["recv", "--reuseport", "--threads", "3", "--steer", "cpu", "--cpus", "0"],
         "mpps recv: --steer cpu needs a CPU per receiving thread: 3 threads, but 1 CPU (0): list more with --cpus, or use fewer --threads (see 'mpps recv --help')"),
        (["send", "--flows", "0"],
         "mpps send: --flows must be a whole number from 1 to 4096, not '0' (see 'mpps send --help')"),
        (["send", "--threads", "4", "--flows", "2"],
         "mpps send: --flows 2 is fewer than --threads 4: every sending thread needs a flow of its own (see 'mpps send --help')"),
        (["send", "--flows", "8", "--src-port", "65530"],
         "mpps send: --src-port 65530 with --flows 8 needs ports up to 65537, beyond 65535: use --src-port 65528 or lower, or fewer flows (see 'mpps send --help')"),
        (["send", "127.0.0.1-20:4321", "--flows", "300"],
         "mpps send: 6000 flows is too many: use at most 4096 (targets × --flows) (see 'mpps send --help')"),
        (["send", "127.0.0.9-2:4321"],
         "mpps send: bad target: reversed range in '127.0.0.9-2:4321': it ends at 2, below where it starts (9): write 127.0.0.2-9:4321 (see 'mpps send --help')"),
        (["send", "127.0.0.1-300:4321"],
         "mpps send: bad target: range end 300 in '127.0.0.1-300:4321' is above 255: a range runs over the last octet of an IPv4 address, as in 127.0.0.1-20:4321 (see 'mpps send --help')"),
        (["send", "[::1-2]:4321"],
         "mpps send: bad target: address ranges are IPv4 only, and '[::1-2]:4321' is IPv6: list IPv6 targets one by one, as in [::1]:4321 (see 'mpps send --help')"),
    ]

    @Test(arguments: usageCases)
    func usageErrorsAreOneLine(arguments: [String], message: String) throws {
        let result = try Program.run("mpps", arguments, within: 10)
        #expect(result.status == 64)
        #expect(result.stdout == "")
        #expect(result.stderr == message + "\n")
    }
}
