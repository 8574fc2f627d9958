import Testing
import HostStats

@Suite struct NetworkSysctlsTests {
    @Test func readsSysctlsAndReportsMissingOnes() {
        var failures: [HostReadError] = []
        let sysctls = NetworkSysctls.read(Fixture.files(Fixture.article), failures: &failures)
        #expect(sysctls.receiveBufferMax == 212_992)
        #expect(sysctls.maxBacklog == 1000)
        #expect(sysctls.budget == 300)
        #expect(sysctls.busyRead == 0)
        #expect(sysctls.busyPoll == 0)
        #expect(sysctls.integers("net.ipv4.udp_mem") == [1_531_806, 2_042_410, 3_063_612])
        #expect(sysctls.integer("net.ipv4.udp_mem") == nil)
        #expect(sysctls.values.count == 11)
        // The article's kernel had no net.core.skb_defer_max (Linux 5.19): left out, not a failure.
        #expect(sysctls.deferredFreeMax == nil)
        #expect(failures.map(\.description) == ["could not read /proc/sys/net/core/netdev_budget_usecs: no such file or directory"])
        #expect(failures.first?.kind == .missing)
    }

    @Test func readsNewerSysctlsWhereTheKernelHasThem() {
        var failures: [HostReadError] = []
        let sysctls = NetworkSysctls.read(Fixture.files(Fixture.vm), failures: &failures)
        #expect(sysctls.deferredFreeMax == 64)
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func pathsOfSysctls() {
        #expect(NetworkSysctls.path("net.core.rmem_max") == "/proc/sys/net/core/rmem_max")
        #expect(NetworkSysctls.path("net.ipv4.udp_mem") == "/proc/sys/net/ipv4/udp_mem")
    }

    @Test func conntrack() {
        #expect(ConntrackState.read(Fixture.files(Fixture.article))
            == ConntrackState(loaded: true, entries: 87, evidence: "/proc/sys/net/netfilter/nf_conntrack_count"))
        #expect(ConntrackState.read(Fixture.files(Fixture.mlx5)) == ConntrackState(loaded: false, entries: nil, evidence: ""))
        #expect(ConntrackState.read(Fixture.files(Fixture.vm))
            == ConntrackState(loaded: true, entries: 0, evidence: "/proc/sys/net/netfilter/nf_conntrack_count"))
        #expect(ConntrackState.modulesListConntrack("xt_conntrack 12681 1 - Live 0x0\nnf_conntrack 105745 3 xt_conntrack, Live 0x0\n"))
        #expect(!ConntrackState.modulesListConntrack("nf_conntrack_ipv4 14862 2 - Live 0x0\n"))
    }

    @Test func readsThisHost() throws {
        var failures: [HostReadError] = []
        let sysctls = NetworkSysctls.read(failures: &failures)
        let expected = Int(try HostFiles().value("/proc/sys/net/core/rmem_max"))
        #expect(sysctls.receiveBufferMax == expected)
        #expect(sysctls.maxBacklog != nil)
        let conntrack = ConntrackState.read()
        #expect(conntrack.loaded == !conntrack.evidence.isEmpty)
    }
}
