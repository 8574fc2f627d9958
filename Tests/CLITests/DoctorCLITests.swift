#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `mpps doctor` as built: on fixture trees (`--root`) and on this host.
@Suite struct DoctorCLITests {
    /// A fixture tree of the HostStats tests, by host name.
    static func fixture(_ host: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("HostStatsTests/Fixtures/\(host)").path
    }

    @Test func readsTheArticlesHostFromAFixtureTree() throws {
        let root = Self.fixture("article-sfc")
        let result = try Program.run("mpps", ["doctor", "--root", root])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "")
        let text = result.stdout
        #expect(text.hasPrefix("host: the fixture tree \(root)\n\nCPUs & NUMA\n  online: 0-23 (24 CPUs, 12 cores, 2 packages)\n"))
        #expect(text.contains("\ninterface eth2: driver sfc, device 0000:04:00.0, up\n"))
        #expect(text.contains("\n    IRQ 101  eth2-4   rx/tx 4 → CPU 4, 1873450112 since boot\n"))
        #expect(text.contains("\nsuggested receiver CPUs: 11,23\n"))
        #expect(text.contains("\n  [warning] rss-udp4-ports-not-hashed (eth2): eth2 hashes UDP over IPV4 by IP SA, IP DA only: "))
        #expect(text.contains("\n      → hash the ports too: ethtool -N eth2 rx-flow-hash udp4 sdfn; "))
        #expect(text.contains("\n  [info] unreadable: could not read ethtool -l eth2: the driver of eth2 does not support ETHTOOL_GCHANNELS (operation not supported)\n"))
        #expect(!text.contains("interface lo"))
    }

    @Test func portAndInterfaceOptions() throws {
        let result = try Program.run("mpps", ["doctor", "--root", Self.fixture("article-sfc"), "--interface", "lo,eth2", "--port", "5000"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\ninterface lo: unknown\n"))
        #expect(result.stdout.contains("\n  [info] loopback (lo): lo delivers each datagram in the sender's context"))
        #expect(result.stdout.contains("iptables -t raw -I PREROUTING 1 -p udp --dport 5000 -j NOTRACK"))
    }

    @Test func jsonOnAFixtureTree() throws {
        let result = try Program.run("mpps", ["doctor", "--root", Self.fixture("mlx5-1socket"), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == 1)
        let object = try #require(jsonObject(result.stdout.trimmingCharacters(in: .newlines)))
        JSONDocs.expectDocumented(object, section: "doctor", type: "object")
        #expect((object["interfaces"] as? [[String: Any]])?.map { $0["name"] as? String } == ["enp59s0f0np0", "enp59s0f1np1"])
        #expect((object["receiver_cpus"] as? [String: Any])?["cpus"] as? [Int] == [11])
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.map { $0["id"] as? String ?? "" } == [
            "nic-drops", "softnet-drops", "rmem-max-small", "netdev-backlog-low", "receiver-cpus", "softnet-squeeze",
        ])
    }

    @Test func jsonOnThisHost() throws {
        let result = try Program.run("mpps", ["doctor", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "")
        let object = try #require(jsonObject(result.stdout.trimmingCharacters(in: .newlines)), "\(result.stdout)")
        #expect(object["root"] as? String == "/")
        // Other tests create and delete veth ends (NetLab's, named ml…) meanwhile: leave those out.
        let isLab = { (name: String) in name.hasPrefix("ml") }
        let all = try FileManager.default.contentsOfDirectory(atPath: "/sys/class/net").filter { $0 != "bonding_masters" }
        let expected = all.count == 1 ? all : all.filter { $0 != "lo" }
        let names = (object["interfaces"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        #expect(Set(names.filter { !isLab($0) }) == Set(expected.filter { !isLab($0) }))
        #expect(object["findings"] is [[String: Any]])
        #expect(object["cpus"] is [String: Any])
    }

    @Test func textOnThisHost() throws {
        let result = try Program.run("mpps", ["doctor"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("CPUs & NUMA\n  online: "))
        #expect(result.stdout.contains("\nsysctls\n  net.core.rmem_max "))
        #expect(result.stdout.contains("\nfindings\n"))
    }

    struct Case: CustomStringConvertible, Sendable {
        let arguments: [String]
        let message: String
        var description: String { arguments.joined(separator: " ") }
    }

    static let usageCases: [Case] = [
        Case(arguments: ["doctor", "--root", fixture("article-sfc"), "--interface", "eth9"],
             message: "mpps doctor: no interface named 'eth9' (interfaces: lo, eth2) (see 'mpps doctor --help')"),
        Case(arguments: ["doctor", "--root", fixture("mlx5-1socket"), "--interface", "enp59s0f0np0,"],
             message: "mpps doctor: no interface named '' (interfaces: lo, enp59s0f0np0, enp59s0f1np1) (see 'mpps doctor --help')"),
        Case(arguments: ["doctor", "--root", "/nonexistent-mpps-root"],
             message: "mpps doctor: --root must be a directory holding proc/ and sys/ as captured from a host, not '/nonexistent-mpps-root' (see 'mpps doctor --help')"),
        Case(arguments: ["doctor", "extra"],
             message: "mpps doctor: takes no positional arguments, got 'extra' (see 'mpps doctor --help')"),
        Case(arguments: ["doctor", "--port", "0"],
             message: "mpps doctor: --port must be a whole number from 1 to 65535, not '0' (see 'mpps doctor --help')"),
        Case(arguments: ["doctor", "--json=yes"],
             message: "mpps doctor: option --json takes no value (see 'mpps doctor --help')"),
    ]

    @Test(arguments: usageCases)
    func usageErrors(_ badCase: Case) throws {
        let result = try Program.run("mpps", badCase.arguments)
        #expect(result.status == 64)
        #expect(result.stdout == "")
        #expect(result.stderr == badCase.message + "\n")
    }

    @Test func unknownInterfaceOnThisHostListsItsInterfaces() throws {
        let result = try Program.run("mpps", ["doctor", "--interface", "mppsnosuch0"])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("mpps doctor: no interface named 'mppsnosuch0' (interfaces: "))
        #expect(result.stderr.contains("lo"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func help() throws {
        let result = try Program.run("mpps", ["help", "doctor"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("usage: mpps doctor [--interface IF] [--json]\n"))
        #expect(result.stdout.contains("  --root DIR      read proc/, sys/ and ethtool-*.txt under DIR instead of this host (fixture trees, for tests)\n"))
        let overview = try Program.run("mpps", ["--help"])
        #expect(overview.stdout.contains("\n  doctor               check this host's NICs, CPUs and settings for receiving fast\n"))
    }
}
