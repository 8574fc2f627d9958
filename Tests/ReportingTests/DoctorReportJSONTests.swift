import Foundation
import Testing
import HostStats
@testable import Reporting

/// `mpps doctor --json`: the report as one JSON object, read from the captured host trees.
@Suite struct DoctorReportJSONTests {
    /// A fixture host of HostStatsTests (the same trees its tests read), as `/`.
    static func root(_ host: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("HostStatsTests/Fixtures").appendingPathComponent(host).path
    }

    static func report(_ host: String) -> DoctorReport {
        Doctor.diagnose(HostSnapshot.read(root: root(host)))
    }

    @Test func jsonReport() throws {
        let line = Self.report("article-sfc").json.rendered
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["root", "cpus", "interfaces", "sysctls", "conntrack", "softnet", "receiver_cpus", "findings"])
        let cpus = try #require(object["cpus"] as? [String: Any])
        #expect(cpus["cores"] as? Int == 12)
        #expect((cpus["smt_siblings"] as? [[Int]])?.first == [0, 12])
        let interfaces = try #require(object["interfaces"] as? [[String: Any]])
        #expect(interfaces.count == 1)
        let eth2 = interfaces[0]
        #expect(eth2["name"] as? String == "eth2")
        #expect(eth2["driver"] as? String == "sfc")
        #expect(eth2["numa_node"] as? Int == 0)
        #expect(eth2["rx_queues"] as? Int == 11)
        #expect(eth2["channels"] is NSNull)
        #expect((eth2["rss"] as? [String: Any])?["udp4"] as? [String] == ["IP SA", "IP DA"])
        let irqs = try #require(eth2["irqs"] as? [[String: Any]])
        #expect(irqs[4]["irq"] as? Int == 101)
        #expect(irqs[4]["kind"] as? String == "rx/tx")
        #expect(irqs[4]["affinity"] as? [Int] == [4])
        #expect(irqs[4]["effective_affinity"] is NSNull)
        #expect(irqs[4]["count"] as? Int == 1_873_450_112)
        #expect((eth2["nic_drops"] as? [String: Int])?["rx_nodesc_drop_cnt"] == 27_090_563)
        let perQueue = try #require(eth2["rx_queue_packets"] as? [String: Any])
        #expect(perQueue["scheme"] as? String == "rx-N.rx_packets")
        #expect((perQueue["queues"] as? [[String: Int]])?[4] == ["queue": 4, "packets": 9_018_262_352])
        let sysctls = try #require(object["sysctls"] as? [String: Any])
        #expect(sysctls["net.core.rmem_max"] as? Int == 212_992)
        #expect(sysctls["net.ipv4.udp_mem"] as? [Int] == [1_531_806, 2_042_410, 3_063_612])
        #expect(sysctls["net.core.netdev_budget_usecs"] == nil)
        #expect((object["conntrack"] as? [String: Any])?["entries"] as? Int == 87)
        #expect((object["softnet"] as? [[String: Any]])?.count == 24)
        let receivers = try #require(object["receiver_cpus"] as? [String: Any])
        #expect(receivers["cpus"] as? [Int] == [11, 23])
        #expect(receivers["choice"] as? String == "other-node")
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.count == 14)
        #expect(findings[0]["id"] as? String == "rss-udp4-ports-not-hashed")
        #expect(findings[0]["severity"] as? String == "warning")
        #expect(findings[0]["interface"] as? String == "eth2")
        #expect(findings[4]["interface"] is NSNull)
    }


    @Test func keysComeInTheirDocumentedOrder() {
        let line = Self.report("article-sfc").json.rendered
        let online = (0...23).map(String.init).joined(separator: ",")
        #expect(line.hasPrefix(#"{"root":""# + Self.root("article-sfc") + #"","cpus":{"online":["# + online
            + #"],"cores":12,"packages":2,"nodes":[{"node":0,"cpus":[0,1,2,3,4,5,12,13,14,15,16,17]},"#
            + #"{"node":1,"cpus":[6,7,8,9,10,11,18,19,20,21,22,23]}],"smt_siblings":[[0,12],"#), "\(line.prefix(300))")
        #expect(line.contains(#"]]},"interfaces":[{"name":"eth2","driver":"sfc","device":"0000:04:00.0","state":"up","numa_node":0,"rx_queues":11,"tx_queues":11,"channels":null,"rss":{"udp4":["IP SA","IP DA"],"udp6":["IP SA","IP DA"]},"rps":[{"queue":0,"cpus":[]},"#))
        #expect(line.contains(#""conntrack":{"loaded":true,"entries":87,"evidence":"/proc/sys/net/netfilter/nf_conntrack_count"},"softnet":[{"cpu":0,"processed":"#))
    }

    @Test func thisHost() throws {
        let report = Doctor.diagnose(HostSnapshot.read())
        let object = try JSONSerialization.jsonObject(with: Data(report.json.rendered.utf8)) as? [String: Any]
        #expect(object?["root"] as? String == "/")
    }
}
