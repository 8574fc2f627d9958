import Testing
import HostStats

@Suite struct InterfaceTests {
    @Test func listsInterfacesByIndex() throws {
        #expect(try NetworkInterface.names(Fixture.files(Fixture.article)) == ["lo", "eth2"])
        #expect(try NetworkInterface.names(Fixture.files(Fixture.mlx5)) == ["lo", "enp59s0f0np0", "enp59s0f1np1"])
        #expect(try NetworkInterface.names(Fixture.files(Fixture.vm)) == ["lo", "ifb0", "ifb1", "eth0"])
    }

    @Test func defaultSelectionLeavesOutLoopbackUnlessAlone() {
        #expect(NetworkInterface.defaultSelection(["lo", "eth0", "eth1"]) == ["eth0", "eth1"])
        #expect(NetworkInterface.defaultSelection(["lo"]) == ["lo"])
        #expect(NetworkInterface.defaultSelection([]) == [])
    }

    @Test func pciNICWithDriverAndNode() {
        var failures: [HostReadError] = []
        let eth2 = NetworkInterface.read("eth2", Fixture.files(Fixture.article), failures: &failures)
        #expect(failures == [])
        #expect(eth2 == NetworkInterface(name: "eth2", index: 4, operationalState: "up", hardwareType: 1,
                                         driver: "sfc", device: "0000:04:00.0", numaNode: 0))
        #expect(!eth2.isLoopback)
        #expect(eth2.isUp)
        let port1 = NetworkInterface.read("enp59s0f1np1", Fixture.files(Fixture.mlx5), failures: &failures)
        #expect(port1.device == "0000:3b:00.1")
        #expect(port1.driver == "mlx5_core")
        #expect(!port1.isUp)
    }

    @Test func virtioNICTakesItsPCIParentsNode() {
        var failures: [HostReadError] = []
        let eth0 = NetworkInterface.read("eth0", Fixture.files(Fixture.vm), failures: &failures)
        #expect(failures == [])
        #expect(eth0 == NetworkInterface(name: "eth0", index: 4, operationalState: "up", hardwareType: 1,
                                         driver: "virtio_net", device: "virtio2", numaNode: nil))
        let lo = NetworkInterface.read("lo", Fixture.files(Fixture.vm), failures: &failures)
        #expect(lo.isLoopback)
        #expect(lo.device == nil)
        #expect(lo.driver == nil)
    }

    @Test func statisticsByName() throws {
        let statistics = try InterfaceStatistics.read(interface: "eth2", Fixture.files(Fixture.article))
        #expect(statistics.counters.count == 24)
        #expect(statistics["rx_packets"] == 9_018_262_457)
        #expect(statistics["tx_packets"] == 1503)
        #expect(statistics["rx_nodesc_drop_cnt"] == 0)
        #expect(statistics.receiveDrops.isEmpty)
    }

    @Test func statisticsDeltasAndDrops() {
        let before = InterfaceStatistics(interface: "eth2", counters: ["rx_packets": 100, "rx_dropped": 5, "rx_missed_errors": 9])
        let after = InterfaceStatistics(interface: "eth2", counters: ["rx_packets": 350, "rx_dropped": 7, "rx_missed_errors": 2])
        #expect(after.since(before).counters == ["rx_packets": 250, "rx_dropped": 2, "rx_missed_errors": 0])
        #expect(after.receiveDrops.map(\.name) == ["rx_dropped", "rx_missed_errors"])
        #expect(after.receiveDrops.map(\.value) == [7, 2])
    }

    @Test func unknownInterfaceStatisticsFail() {
        #expect(throws: HostReadError(subject: "/sys/class/net/eth9/statistics", kind: .missing, code: 2, reason: "no such file or directory")) {
            try InterfaceStatistics.read(interface: "eth9", Fixture.files(Fixture.article))
        }
    }

    @Test func queuesWithRPSAndXPS() throws {
        var failures: [HostReadError] = []
        let queues = try InterfaceQueues.read(interface: "eth2", Fixture.files(Fixture.article), failures: &failures)
        #expect(failures == [])
        #expect(queues.receive.map(\.index) == Array(0...10))
        #expect(queues.transmit.map(\.index) == Array(0...10))
        #expect(queues.receive.allSatisfy { $0.rpsCPUs == [] })
        #expect(queues.rpsOff)
        #expect(queues.transmit[4] == TransmitQueue(index: 4, xpsCPUs: [4]))
        #expect(queues.transmit[10] == TransmitQueue(index: 10, xpsCPUs: [10]))
    }

    @Test func singleQueueDeviceHasNoXPSMap() throws {
        var failures: [HostReadError] = []
        let queues = try InterfaceQueues.read(interface: "eth0", Fixture.files(Fixture.vm), failures: &failures)
        #expect(failures == [])
        #expect(queues == InterfaceQueues(receive: [ReceiveQueue(index: 0, rpsCPUs: [])], transmit: [TransmitQueue(index: 0, xpsCPUs: nil)]))
    }

    @Test func queueIndexesSortNumerically() {
        #expect(InterfaceQueues.indexes(["rx-10", "rx-2", "tx-0", "rx-0", "rx-x"], prefix: "rx-") == [0, 2, 10])
    }

    @Test func readsThisHost() throws {
        let names = try NetworkInterface.names()
        #expect(names.contains("lo"))
        let statistics = try InterfaceStatistics.current(interface: "lo")
        #expect(statistics.counters["rx_packets"] != nil)
        #expect(statistics.counters["rx_dropped"] != nil)
        var failures: [HostReadError] = []
        let queues = try InterfaceQueues.read(interface: "lo", failures: &failures)
        #expect(queues.receive.count >= 1)
        #expect(failures == [])
        let lo = NetworkInterface.read("lo", failures: &failures)
        #expect(lo.isLoopback)
        #expect(lo.index == 1)
    }
}
