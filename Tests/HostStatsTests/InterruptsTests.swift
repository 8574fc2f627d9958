import Testing
import HostStats

@Suite struct InterruptsTests {
    @Test func parsesThisVMsTable() throws {
        let table = try InterruptTable.read(Fixture.files(Fixture.vm))
        #expect(table.cpus == [0, 1])
        let input = try #require(table.rows.first { $0.label == "38" })
        #expect(input == InterruptRow(label: "38", counts: [0, 343], chip: "PCI-MSIX-0000:00:03.0", names: ["virtio2-input.0"]))
        #expect(input.irq == 38)
        #expect(input.total == 343)
        let timer = try #require(table.rows.first { $0.label == "LOC" })
        #expect(timer.irq == nil)
        #expect(timer.names == ["Local timer interrupts"])
        let errors = try #require(table.rows.first { $0.label == "ERR" })
        #expect(errors.counts == [0])
    }

    @Test func findsAVirtioInterfacesQueuesByDeviceName() throws {
        let table = try InterruptTable.read(Fixture.files(Fixture.vm))
        let queues = table.queueInterrupts(interface: "eth0", device: "virtio2")
        #expect(queues == [
            QueueInterrupt(irq: 37, name: "virtio2-config", kind: .other, queue: nil, counts: [0: 0, 1: 0]),
            QueueInterrupt(irq: 38, name: "virtio2-input.0", kind: .receive, queue: 0, counts: [0: 0, 1: 343]),
            QueueInterrupt(irq: 39, name: "virtio2-output.0", kind: .transmit, queue: 0, counts: [0: 301, 1: 0]),
        ])
        #expect(table.queueInterrupts(interface: "ifb0", device: nil) == [])
    }

    @Test func findsASolarflareInterfacesQueuesByName() throws {
        let table = try InterruptTable.read(Fixture.files(Fixture.article))
        #expect(table.cpus == Array(0..<24))
        let row = try #require(table.rows.first { $0.label == "101" })
        #expect(row.chip == "IR-PCI-MSI-edge")
        #expect(row.names == ["eth2-4"])
        #expect(row.counts[4] == 1_873_450_112)
        let queues = table.queueInterrupts(interface: "eth2", device: "0000:04:00.0")
        #expect(queues.map(\.irq) == Array(97...107))
        #expect(queues.map(\.queue) == Array(0...10))
        #expect(queues.allSatisfy { $0.kind == .combined && $0.receives })
        #expect(queues[4].counts[4] == 1_873_450_112)
        #expect(table.queueInterrupts(interface: "eth20", device: nil) == [])
    }

    @Test func findsMlx5QueuesByPCIAddressWithAnOfflineCPU() throws {
        let table = try InterruptTable.read(Fixture.files(Fixture.mlx5))
        #expect(table.cpus == [0, 1, 2] + Array(4...15))
        let port0 = table.queueInterrupts(interface: "enp59s0f0np0", device: "0000:3b:00.0")
        #expect(port0.map(\.name) == ["mlx5_async@pci:0000:3b:00.0"] + (0...7).map { "mlx5_comp\($0)@pci:0000:3b:00.0" })
        #expect(port0[0].kind == .other)
        #expect(port0[4].kind == .combined)
        #expect(port0[4].queue == 3)
        #expect(port0[4].counts[0] == 5_012_576)
        #expect(port0[4].counts[3] == nil)
        let port1 = table.queueInterrupts(interface: "enp59s0f1np1", device: "0000:3b:00.1")
        #expect(port1.map(\.irq) == [129, 130, 131])
    }

    @Test func severalActionsOnOneLine() throws {
        let text = "           CPU0       CPU1\n  16:         10          2   IO-APIC  16-fasteoi   ehci_hcd:usb1, eth0\n"
        let table = try #require(InterruptTable.parse(text))
        #expect(table.rows == [InterruptRow(label: "16", counts: [10, 2], chip: "IO-APIC", names: ["ehci_hcd:usb1", "eth0"])])
        #expect(table.queueInterrupts(interface: "eth0", device: nil) == [QueueInterrupt(irq: 16, name: "eth0", kind: .combined, queue: nil, counts: [0: 10, 1: 2])])
        #expect(InterruptTable.parse("no header\n") == nil)
    }

    @Test(arguments: [
        ("eth2-rx-4", "eth2", QueueInterrupt.Kind.receive, 4),
        ("eth2-tx-4", "eth2", .transmit, 4),
        ("eth2-4", "eth2", .combined, 4),
        ("eth2-TxRx-3", "eth2", .combined, 3),
        ("i40e-eth2-TxRx-3", "eth2", .combined, 3),
        ("mlx5_comp12@pci:0000:3b:00.0", "0000:3b:00.0", .combined, 12),
        ("virtio2-input.0", "virtio2", .receive, 0),
        ("virtio2-output.3", "virtio2", .transmit, 3),
    ] as [(String, String, QueueInterrupt.Kind, Int)])
    func classifiesQueueNames(name: String, owner: String, kind: QueueInterrupt.Kind, queue: Int) {
        let (foundKind, foundQueue) = QueueInterrupt.classify(name, owner: owner)
        #expect(foundKind == kind)
        #expect(foundQueue == queue)
    }

    @Test func classifiesOtherInterrupts() {
        #expect(QueueInterrupt.classify("mlx5_async@pci:0000:3b:00.0", owner: "0000:3b:00.0") == (.other, nil))
        #expect(QueueInterrupt.classify("virtio2-config", owner: "virtio2") == (.other, nil))
        #expect(QueueInterrupt.classify("eth0", owner: "eth0") == (.combined, nil))
    }

    @Test func readsAffinities() {
        var failures: [HostReadError] = []
        var moved = QueueInterrupt(irq: 124, name: "mlx5_comp3@pci:0000:3b:00.0", kind: .combined, queue: 3)
        QueueInterrupt.readAffinity(&moved, Fixture.files(Fixture.mlx5), failures: &failures)
        #expect(moved.affinity == [0, 1, 2] + Array(4...15))
        #expect(moved.effectiveAffinity == [0])
        #expect(moved.servingCPUs == [0])
        var old = QueueInterrupt(irq: 101, name: "eth2-4", kind: .combined, queue: 4)
        QueueInterrupt.readAffinity(&old, Fixture.files(Fixture.article), failures: &failures)
        #expect(old.affinity == [4])
        #expect(old.effectiveAffinity == nil)
        #expect(old.servingCPUs == [4])
        #expect(failures == [])
        var missing = QueueInterrupt(irq: 9999, name: "x", kind: .other, queue: nil)
        QueueInterrupt.readAffinity(&missing, Fixture.files(Fixture.mlx5), failures: &failures)
        #expect(failures.map(\.description) == ["could not read /proc/irq/9999/smp_affinity_list: no such file or directory"])
    }

    @Test func readsThisHost() throws {
        let table = try InterruptTable.read()
        #expect(table.cpus == (try CPUTopology.readOnline()))
        #expect(table.rows.contains { $0.label == "LOC" || $0.irq != nil })
    }
}
