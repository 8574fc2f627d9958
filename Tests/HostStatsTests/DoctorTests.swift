import Foundation
import Testing
import HostStats

@Suite struct DoctorTests {
    static func report(_ host: String, interfaces: [String]? = nil) -> DoctorReport {
        Doctor.diagnose(HostSnapshot.read(root: Fixture.root(host), interfaces: interfaces))
    }

    @Test func theArticlesHost() throws {
        let report = Self.report(Fixture.article)
        #expect(report.snapshot.allInterfaces == ["lo", "eth2"])
        #expect(report.snapshot.interfaces.map(\.name) == ["eth2"])
        #expect(report.findings.map(\.id) == [
            "rss-udp4-ports-not-hashed", "rss-udp6-ports-not-hashed", "rx-queue-imbalance", "nic-drops", "conntrack-active",
            "numa-node", "rx-irqs-other-node", "rmem-max-small", "netdev-backlog-low", "receiver-cpus",
            "softnet-squeeze", "busy-poll-off", "unreadable", "unreadable",
        ])
        let rss = try #require(report.findings("rss-udp4-ports-not-hashed").first)
        #expect(rss.severity == .warning)
        #expect(rss.interface == "eth2")
        #expect(rss.statement == "eth2 hashes UDP over IPV4 by IP SA, IP DA only: all datagrams between one pair of addresses land on one of its 11 RX queues, whatever their ports")
        #expect(rss.recommendation.hasPrefix("hash the ports too: ethtool -N eth2 rx-flow-hash udp4 sdfn; if the NIC refuses"))
        #expect(report.findings("rx-queue-imbalance").first?.statement
            == "RX queue 4 of eth2 received 99.99% of its packets since boot (9018262352 of 9018262457): CPU 4, which serves it, did most of the receive work of 11 queues")
        #expect(report.findings("nic-drops").first?.statement
            == "eth2's driver counted drops since boot: rx_nodesc_drop_cnt 27090563 (Solarflare: no free RX descriptor, the queue's CPU did not keep up)")
        #expect(report.findings("conntrack-active").first?.recommendation
            == "exempt the benchmark port, as the article does: iptables -t raw -I PREROUTING 1 -p udp --dport 4321 -j NOTRACK (and iptables -t raw -I OUTPUT 1 -p udp --dport 4321 -j NOTRACK on the sender)")
        #expect(report.findings("numa-node").first?.statement == "eth2 is attached to NUMA node 0 (CPUs 0-5,12-17)")
        #expect(report.findings("rx-irqs-other-node").first?.statement
            == "5 of eth2's 11 RX interrupts are served on node 1 (CPUs 6-10), not on its node 0")
        #expect(report.findings("rx-irqs-other-node").first?.recommendation
            == "move them to node 0's CPUs: echo CPU > /proc/irq/IRQ/smp_affinity_list for IRQs 103,104,105,106,107")
        #expect(report.findings("rmem-max-small").first?.statement
            == "net.core.rmem_max is 212992 bytes (208 KiB): without root a socket's receive buffer is capped there, and mpps recv asks for 4 MiB")
        #expect(report.findings("unreadable").map(\.statement) == [
            "could not read /proc/sys/net/core/netdev_budget_usecs: no such file or directory",
            "could not read ethtool -l eth2: the driver of eth2 does not support ETHTOOL_GCHANNELS (operation not supported)",
        ])
        #expect(report.findings("unreadable").map(\.recommendation) == [
            "this kernel, device or fixture does not provide it; the checks that need it were skipped",
            "the driver does not offer it; the checks that need it were skipped",
        ])
        // Every CPU of node 0 takes one of eth2's interrupts or is a sibling of one: the article's other-node trade-off.
        let cpus = try #require(report.receiverCPUs)
        #expect(cpus.cpus == [11, 23])
        #expect(cpus.choice == .otherNode)
        #expect(cpus.nicNode == 0)
        #expect(cpus.interruptCPUs == Array(0...10))
        #expect(cpus.interruptSiblings == Array(12...22))
        #expect(report.findings("receiver-cpus").first?.recommendation == "mpps recv --reuseport --threads 2 --cpus 11,23")
    }

    @Test func theMlx5Host() throws {
        let report = Self.report(Fixture.mlx5)
        #expect(report.snapshot.interfaces.map(\.name) == ["enp59s0f0np0", "enp59s0f1np1"])
        #expect(report.snapshot.failures == [])
        #expect(report.findings.map(\.id) == [
            "nic-drops", "softnet-drops", "rmem-max-small", "netdev-backlog-low", "receiver-cpus", "softnet-squeeze",
        ])
        #expect(report.findings("softnet-drops").first?.statement
            == "CPU 9 dropped 47 packets since boot because the backlog was full (/proc/net/softnet_stat)")
        #expect(report.findings("nic-drops").first?.interface == "enp59s0f0np0")
        #expect(report.findings("softnet-squeeze").first?.recommendation
            == "if it grows under load, raise net.core.netdev_budget (now 600) or net.core.netdev_budget_usecs")
        // CPU 11's sibling, CPU 3, is offline: the only core clear of interrupts and their siblings.
        let cpus = try #require(report.receiverCPUs)
        #expect(cpus == ReceiverCPUs(cpus: [11], nicNode: nil, interruptCPUs: [0, 1, 2, 4, 5, 6, 7],
                                     interruptSiblings: [8, 9, 10, 12, 13, 14, 15], choice: .clear,
                                     reason: "clear of the CPUs taking RX interrupts (0-2,4-7) and their SMT siblings (8-10,12-15)"))
    }

    @Test func thisVMCaptured() throws {
        let report = Self.report(Fixture.vm)
        #expect(report.snapshot.interfaces.map(\.name) == ["ifb0", "ifb1", "eth0"])
        #expect(report.findings.map(\.id) == [
            "rps-off", "netdev-backlog-low", "skb-defer-max-low", "receiver-cpus", "softnet-squeeze", "conntrack-loaded",
            "busy-poll-off", "unreadable", "unreadable", "unreadable", "unreadable",
        ])
        let deferred = try #require(report.findings("skb-defer-max-low").first)
        #expect(deferred.severity == .advice)
        #expect(deferred.statement == "net.core.skb_defer_max is 64: a receiving thread on another CPU than the one that took its packets in hands at most 64 buffers back to that CPU at a time and frees the rest itself, the slow way; one recvmmsg call of mpps recv frees up to 512")
        #expect(deferred.recommendation.hasPrefix("sysctl -w net.core.skb_defer_max=512 (on a 2-CPU VM"))
        let rps = try #require(report.findings("rps-off").first)
        #expect(rps.statement == "eth0 has one RX queue and RPS is off: one CPU takes every packet it receives through the stack")
        #expect(rps.recommendation == "spread the work with RPS: echo 1 > /sys/class/net/eth0/queues/rx-0/rps_cpus (CPU 0: all but CPU 1, which takes its interrupt)")
        #expect(report.findings("unreadable").first?.statement
            == "could not read ethtool -l ifb0: the driver of ifb0 does not support ETHTOOL_GCHANNELS (operation not supported)")
        #expect(report.receiverCPUs?.cpus == [0])
        #expect(report.receiverCPUs?.reason == "clear of the CPUs taking RX interrupts (1)")
    }

    @Test func loopbackOnly() {
        let report = Self.report(Fixture.vm, interfaces: ["lo"])
        #expect(report.findings.map(\.id).filter { $0 != "unreadable" } == [
            "netdev-backlog-low", "skb-defer-max-low", "loopback", "softnet-squeeze", "conntrack-loaded", "busy-poll-off",
        ])
        #expect(report.findings("unreadable").map(\.statement) == [
            "could not read ethtool -S lo: the driver of lo does not support ETHTOOL_GSSET_INFO (operation not supported)",
            "could not read ethtool -l lo: the driver of lo does not support ETHTOOL_GCHANNELS (operation not supported)",
            "could not read ethtool -n lo rx-flow-hash udp4: the driver of lo does not support ETHTOOL_GRXFH (operation not supported)",
        ])
    }

    // Rules the fixtures do not trigger, on snapshots changed by hand.

    @Test func allRXInterruptsOnOneCPU() throws {
        var snapshot = HostSnapshot.read(root: Fixture.root(Fixture.mlx5))
        for index in snapshot.interfaces[0].interrupts.indices {
            snapshot.interfaces[0].interrupts[index].effectiveAffinity = [2]
        }
        let report = Doctor.diagnose(snapshot)
        let finding = try #require(report.findings("rx-irqs-one-cpu").first)
        #expect(finding.statement == "all 8 RX interrupts of enp59s0f0np0 go to CPU 2: one CPU processes every queue")
        #expect(finding.recommendation.contains("for IRQs 121,122,123,124,125,126,127,128"))
        // CPU 2 and its sibling 10 taken by the NIC, plus port 1's CPUs 0 and 1 — down, so ignored.
        #expect(report.receiverCPUs?.cpus == [0, 1, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15])
    }

    @Test func singleQueueWithRPSOnButMoreChannelsAllowed() throws {
        var snapshot = HostSnapshot.read(root: Fixture.root(Fixture.vm), interfaces: ["eth0"])
        snapshot.interfaces[0].queues = .success(InterfaceQueues(receive: [ReceiveQueue(index: 0, rpsCPUs: [0])], transmit: []))
        snapshot.interfaces[0].channels = .success(Channels(maxCombined: 4, combined: 1))
        let report = Doctor.diagnose(snapshot)
        #expect(report.findings("rps-off").isEmpty)
        let finding = try #require(report.findings("single-rx-queue").first)
        #expect(finding.statement == "eth0 uses one RX queue of the 4 its driver allows: RSS cannot spread flows")
        #expect(finding.recommendation == "raise them: ethtool -L eth0 combined 4")
    }

    @Test func unknownNUMANodeAndInterfaceDrops() throws {
        var snapshot = HostSnapshot.read(root: Fixture.root(Fixture.article))
        snapshot.interfaces[0].interface.numaNode = nil
        snapshot.interfaces[0].statistics = .success(InterfaceStatistics(interface: "eth2", counters: ["rx_packets": 10, "rx_dropped": 3, "rx_missed_errors": 4]))
        let report = Doctor.diagnose(snapshot)
        #expect(report.findings("numa-node").isEmpty)
        #expect(report.findings("numa-node-unknown").first?.statement
            == "the kernel does not know which NUMA node eth2 is attached to (numa_node -1 or absent)")
        #expect(report.findings("interface-drops").first?.statement
            == "eth2 counted receive drops since boot: rx_dropped 3, rx_missed_errors 4")
        // Without the NIC's node any node will do, and 11 and 23 are clear of interrupts and their siblings.
        #expect(report.receiverCPUs?.choice == .clear)
        #expect(report.receiverCPUs?.cpus == [11, 23])
    }

    @Test func receiverCPUFallbacks() {
        let topology = CPUTopology(online: [0, 1, 2, 3],
                                   places: [0: CPUPlace(cpu: 0, core: 0, package: 0, siblings: [0, 2]),
                                            1: CPUPlace(cpu: 1, core: 1, package: 0, siblings: [1, 3]),
                                            2: CPUPlace(cpu: 2, core: 0, package: 0, siblings: [0, 2]),
                                            3: CPUPlace(cpu: 3, core: 1, package: 0, siblings: [1, 3])],
                                   nodes: [:])
        func nic(_ cpus: [[Int]]) -> InterfaceSnapshot {
            InterfaceSnapshot(interface: NetworkInterface(name: "eth0", operationalState: "up", hardwareType: 1, device: "0000:01:00.0"),
                              statistics: .failure(.malformed("x", "y")), queues: .failure(.malformed("x", "y")),
                              interrupts: cpus.enumerated().map { QueueInterrupt(irq: 40 + $0.offset, name: "eth0-\($0.offset)", kind: .combined, queue: $0.offset, affinity: $0.element) },
                              ethtool: .failure(.malformed("x", "y")), channels: .failure(.malformed("x", "y")), flowHashes: [:])
        }
        let siblings = Doctor.suggestReceiverCPUs(topology: topology, interfaces: [nic([[0], [1]])])
        #expect(siblings.choice == .siblings)
        #expect(siblings.cpus == [2, 3])
        #expect(siblings.reason == "SMT siblings of the CPUs taking RX interrupts (0-1), which the article measured at half speed: no CPU is clear of them")
        let shared = Doctor.suggestReceiverCPUs(topology: topology, interfaces: [nic([[0], [1], [2], [3]])])
        #expect(shared.choice == .shared)
        #expect(shared.cpus == [0, 1, 2, 3])
        let none = Doctor.suggestReceiverCPUs(topology: topology, interfaces: [])
        #expect(none.choice == .clear)
        #expect(none.cpus == [0, 1, 2, 3])
        #expect(none.reason == "no RX interrupts of any interface were found to avoid")
    }

    @Test func conntrackWithoutACount() {
        var snapshot = HostSnapshot.read(root: Fixture.root(Fixture.mlx5))
        snapshot.conntrack = ConntrackState(loaded: true, entries: nil, evidence: "nf_conntrack in /proc/modules")
        let finding = Doctor.diagnose(snapshot, port: 5000).findings("conntrack-active").first
        #expect(finding?.statement == "connection tracking is loaded (nf_conntrack in /proc/modules): every datagram of a tracked flow pays a table lookup")
        #expect(finding?.recommendation.contains("--dport 5000 -j NOTRACK") == true)
    }

    @Test func unreadableRecommendations() {
        #expect(Doctor.unreadable(HostReadError(subject: "/proc/x", errno: EACCES)).recommendation == "run mpps doctor as root")
        #expect(Doctor.unreadable(HostReadError(subject: "/proc/x", errno: EACCES)).statement == "could not read /proc/x: permission denied")
        #expect(Doctor.unreadable(.malformed("/proc/x", "bad")).recommendation == "the format is not one mpps knows; the checks that need it were skipped")
    }

    @Test func textReport() {
        let text = Self.report(Fixture.article).text
        #expect(text.hasPrefix("host: the fixture tree \(Fixture.root(Fixture.article))\n\nCPUs & NUMA\n  online: 0-23 (24 CPUs, 12 cores, 2 packages)\n  NUMA node 0: CPUs 0-5,12-17\n  NUMA node 1: CPUs 6-11,18-23\n"))
        #expect(text.contains("\ninterface eth2: driver sfc, device 0000:04:00.0, up\n  NUMA node: 0\n  queues: 11 RX, 11 TX; channels: unread\n"))
        #expect(text.contains("\n  RSS hash: udp4 IP SA, IP DA (ports not hashed); udp6 IP SA, IP DA (ports not hashed)\n"))
        #expect(text.contains("\n    IRQ 101  eth2-4   rx/tx 4 → CPU 4, 1873450112 since boot\n"))
        #expect(text.contains("\n  RPS: off (all 11 queues)\n  XPS: tx-0 → 0, tx-1 → 1, "))
        #expect(text.contains("\n  packets per RX queue (ethtool rx-N.rx_packets): 0: 95, 1: 0, 2: 0, 3: 5, 4: 9018262352, "))
        #expect(text.contains("\nconntrack: loaded (/proc/sys/net/netfilter/nf_conntrack_count), 87 connections tracked\n"))
        #expect(text.contains("\nsuggested receiver CPUs: 11,23\n"))
        #expect(text.contains("\n  [warning] rss-udp4-ports-not-hashed (eth2): eth2 hashes UDP over IPV4 by IP SA, IP DA only"))
        #expect(text.contains("\n      → mpps recv --reuseport --threads 2 --cpus 11,23\n"))
        let mlx5 = Self.report(Fixture.mlx5).text
        #expect(mlx5.contains("\n    IRQ 124  mlx5_comp3@pci:0000:3b:00.0  rx/tx 3 → CPU 0 (allowed 0-2,4-15), 5012576 since boot\n"))
        #expect(mlx5.contains("\n  queues: 8 RX, 8 TX; channels: 8 combined (max 15)\n"))
    }

    @Test func diagnosesThisHost() throws {
        let snapshot = HostSnapshot.read()
        #expect(snapshot.root == "/")
        #expect(snapshot.allInterfaces.contains("lo"))
        #expect(snapshot.interfaces.map(\.name) == NetworkInterface.defaultSelection(snapshot.allInterfaces))
        let report = Doctor.diagnose(snapshot)
        #expect(report.findings("unreadable").map(\.statement) == snapshot.failures.map(\.description))
        #expect(report.receiverCPUs != nil)
        #expect(report.text.contains("\nfindings\n"))
    }
}
