import Foundation
import Testing
import HostStats

/// A driver may report every counter as all ones (2^64 - 1: unset, or a bug);
/// sums of such counters once trapped `mpps doctor`. They saturate instead.
@Suite struct AllOnesCountersTests {
    static let allOnes = "18446744073709551615"

    /// The mlx5 fixture copied to a temporary tree with every counter all ones:
    /// each `ethtool -S` value, each interrupt count, each sysfs statistic, and
    /// every softnet column but the CPU number (32 bits there: `ffffffff`).
    static func allOnesTree() throws -> URL {
        let tree = FileManager.default.temporaryDirectory.appendingPathComponent("mpps-all-ones-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: Fixture.root(Fixture.mlx5)), to: tree)
        let contents = try FileManager.default.contentsOfDirectory(atPath: tree.path)
        for name in contents where name.hasPrefix("ethtool-S-") {
            let url = tree.appendingPathComponent(name)
            let text = try String(contentsOf: url, encoding: .utf8)
            try rewrite(text, #"(?m)^(\s+[^:\n]+: )\d+$"#, "$1" + allOnes).write(to: url, atomically: true, encoding: .utf8)
        }
        let interrupts = tree.appendingPathComponent("proc/interrupts")
        var lines = try String(contentsOf: interrupts, encoding: .utf8).components(separatedBy: "\n")
        for index in lines.indices.dropFirst() where lines[index].range(of: #"^\s*\d+:"#, options: .regularExpression) != nil {
            lines[index] = rewrite(lines[index], #"(?<=\s)\d+(?=\s)"#, allOnes)
        }
        try lines.joined(separator: "\n").write(to: interrupts, atomically: true, encoding: .utf8)
        let softnet = tree.appendingPathComponent("proc/net/softnet_stat")
        let rows = try String(contentsOf: softnet, encoding: .utf8).split(separator: "\n").map { row in
            let columns = row.split(separator: " ")
            return (Array(repeating: "ffffffff", count: columns.count - 1) + [String(columns.last!)]).joined(separator: " ")
        }
        try (rows.joined(separator: "\n") + "\n").write(to: softnet, atomically: true, encoding: .utf8)
        let net = tree.appendingPathComponent("sys/class/net")
        for interface in try FileManager.default.contentsOfDirectory(atPath: net.path) {
            let statistics = net.appendingPathComponent(interface).appendingPathComponent("statistics")
            for name in (try? FileManager.default.contentsOfDirectory(atPath: statistics.path)) ?? [] {
                try (allOnes + "\n").write(to: statistics.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
        }
        return tree
    }

    static func rewrite(_ text: String, _ pattern: String, _ template: String) -> String {
        text.replacingOccurrences(of: pattern, with: template, options: .regularExpression)
    }

    @Test func saturatingSums() {
        #expect(UInt64.max.addingSaturating(1) == .max)
        #expect(UInt64(2).addingSaturating(3) == 5)
        #expect([UInt64.max, .max, 1].saturatingSum() == .max)
        #expect([UInt64(1), 2, 3].saturatingSum() == 6)
    }

    @Test func theDoctorReadsADriversAllOnesCountersWithoutATrap() throws {
        let tree = try Self.allOnesTree()
        defer { try? FileManager.default.removeItem(at: tree) }
        let snapshot = HostSnapshot.read(root: tree.path)
        let interface = try #require(snapshot.interfaces.first { $0.interface.name == "enp59s0f0np0" })
        guard case .success(let ethtool) = interface.ethtool else {
            Issue.record("the all-ones ethtool -S did not parse")
            return
        }
        let packets = try #require(ethtool.rxQueuePackets)
        #expect(packets.queues.count == 8)
        #expect(packets.queues.allSatisfy { $0.packets == .max })
        // 8 × (2^64 - 1) is at least 2^64 - 1: the sum saturates.
        #expect(packets.total == .max)
        let table = try snapshot.interrupts.get()
        #expect(table.rows.filter { $0.irq != nil }.allSatisfy { $0.total == .max })
        #expect(interface.interrupts.allSatisfy { $0.total == .max })
        let report = Doctor.diagnose(snapshot)
        // Shares of a saturated total mean nothing: no imbalance is claimed.
        #expect(report.findings("rx-queue-imbalance").isEmpty)
        #expect(report.findings("nic-drops").first?.statement.contains("rx_out_of_buffer \(Self.allOnes)") == true)
        #expect(report.text.contains("packets per RX queue (ethtool rxN_packets): 0: \(Self.allOnes), 1: \(Self.allOnes)"))
    }
}
