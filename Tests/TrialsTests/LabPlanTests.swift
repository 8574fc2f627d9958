import Testing
@testable import Trials
import Reporting

/// The experiments of `mpps lab` as command lines, for machines of several sizes.
@Suite struct LabPlanTests {
    static let everything = LabCapabilities(
        receiveOptions: ["--threads", "--reuseport", "--steer", "--cpus", "--gro", "--rx-usecs", "--json", "--duration"],
        sendOptions: ["--threads", "--flows", "--gso", "--cpus", "--json", "--duration"])
    static let loopback = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]

    func setting(cpus: [Int], netns: Bool = false, capabilities: LabCapabilities = everything) -> LabSetting {
        LabSetting(seconds: 3, port: 4321, cpus: cpus,
                   addresses: netns ? ["198.18.0.1", "198.18.0.2", "198.18.0.3", "198.18.0.4"] : Self.loopback,
                   netns: netns, capabilities: capabilities)
    }

    @Test func theArticlesOrderOnTwoCPUs() {
        let experiments = LabPlan.experiments(setting(cpus: [0, 1]))
        #expect(experiments.map(\.name) == ["naive", "pinned", "two-senders", "several-ips", "shared-socket", "reuseport",
                                            "many-flows", "steer-cpu", "steer-random", "gso", "gro", "gro-no-wait"])
        let tail = ["--json", "--duration", "33"]
        let send = ["--duration", "3", "--json"]
        let expected: [(receiver: [String], sender: [String])] = [
            (["recv", "0.0.0.0:4321"] + tail, ["send", "127.0.0.1:4321"] + send),
            (["recv", "0.0.0.0:4321", "--cpus", "1"] + tail, ["send", "127.0.0.1:4321", "--cpus", "0"] + send),
            (["recv", "0.0.0.0:4321", "--cpus", "1"] + tail, ["send", "127.0.0.1:4321", "--threads", "2", "--cpus", "0-1"] + send),
            (["recv", "0.0.0.0:4321", "--cpus", "1"] + tail, ["send", "127.0.0.1-4:4321", "--cpus", "0-1"] + send),
            (["recv", "0.0.0.0:4321", "--threads", "2", "--cpus", "0-1"] + tail,
             ["send", "127.0.0.1:4321", "--threads", "2", "--cpus", "0-1"] + send),
            (["recv", "0.0.0.0:4321", "--threads", "2", "--reuseport", "--cpus", "0-1"] + tail,
             ["send", "127.0.0.1:4321", "--threads", "2", "--cpus", "0-1"] + send),
            (["recv", "0.0.0.0:4321", "--threads", "2", "--reuseport", "--cpus", "0-1"] + tail,
             ["send", "127.0.0.1:4321", "--threads", "2", "--flows", "16", "--cpus", "0-1"] + send),
            (["recv", "0.0.0.0:4321", "--threads", "2", "--reuseport", "--steer", "cpu", "--cpus", "0-1"] + tail,
             ["send", "127.0.0.1:4321", "--threads", "2", "--cpus", "0-1"] + send),
            (["recv", "0.0.0.0:4321", "--threads", "2", "--reuseport", "--steer", "random", "--cpus", "0-1"] + tail,
             ["send", "127.0.0.1:4321", "--threads", "2", "--cpus", "0-1"] + send),
            (["recv", "0.0.0.0:4321", "--cpus", "1"] + tail, ["send", "127.0.0.1:4321", "--gso", "64", "--cpus", "0"] + send),
            (["recv", "0.0.0.0:4321", "--gro", "--cpus", "1"] + tail, ["send", "127.0.0.1:4321", "--gso", "64", "--cpus", "0"] + send),
            (["recv", "0.0.0.0:4321", "--gro", "--rx-usecs", "0", "--cpus", "1"] + tail,
             ["send", "127.0.0.1:4321", "--gso", "64", "--cpus", "0"] + send),
        ]
        #expect(experiments.count == expected.count)
        for (experiment, want) in zip(experiments, expected) {
            #expect(experiment.receiver == want.receiver, "\(experiment.name)")
            #expect(experiment.sender == want.sender, "\(experiment.name)")
            #expect(experiment.isAvailable, "\(experiment.name)")
        }
    }

    @Test func twoCPUsSayWhatCannotShow() {
        let experiments = Dictionary(uniqueKeysWithValues: LabPlan.experiments(setting(cpus: [0, 1])).map { ($0.name, $0) })
        #expect(experiments["naive"]?.notes == [])
        #expect(experiments["pinned"]?.notes == [])
        #expect(experiments["two-senders"]?.notes == [
            "its 3 threads (2 sending, 1 receiving) need 3 CPUs to have one each; mpps may use 2 here (CPUs 0-1), so threads share CPUs and the numbers mix both effects"])
        #expect(experiments["reuseport"]?.notes.first ==
            "the article runs 4 receiving threads (taskset -c 1,2,3,4); with 2 senders that needs 6 CPUs, this machine lets mpps use 2: running 2")
        #expect(experiments["several-ips"]?.notes.first?.hasPrefix("loopback has no RX queues to spread addresses over") == true)
        #expect(experiments["gso"]?.notes == [])
        let notes = LabPlan.machineNotes(setting(cpus: [0, 1]))
        #expect(notes.count == 3)
        #expect(notes[0].hasPrefix("on loopback the kernel delivers each datagram in the sending thread's context"))
        #expect(notes[1].contains("need a multi-queue NIC and two NUMA nodes") && notes[1].contains("mpps doctor"))
        #expect(notes[2] == "mpps may use 2 CPUs here (0-1): experiments with more threads than CPUs cannot show their effect cleanly")
    }

    @Test func eightCPUsRunTheArticlesFourReceivingThreadsApart() {
        let experiments = Dictionary(uniqueKeysWithValues: LabPlan.experiments(setting(cpus: Array(0..<8))).map { ($0.name, $0) })
        #expect(experiments["pinned"]?.receiver.contains("7") == true)
        #expect(experiments["pinned"]?.sender.contains("0") == true)
        #expect(experiments["reuseport"]?.receiver == ["recv", "0.0.0.0:4321", "--threads", "4", "--reuseport", "--cpus", "4-7",
                                                       "--json", "--duration", "33"])
        #expect(experiments["reuseport"]?.sender == ["send", "127.0.0.1:4321", "--threads", "2", "--cpus", "0-1",
                                                     "--duration", "3", "--json"])
        #expect(experiments.values.filter { $0.name != "several-ips" }.allSatisfy { $0.notes.isEmpty })
        #expect(LabPlan.machineNotes(setting(cpus: Array(0..<8))).count == 2)
    }

    @Test func missingOptionsLeaveTheirExperimentsOut() {
        let older = LabCapabilities(receiveOptions: ["--threads", "--reuseport", "--cpus", "--gro"],
                                    sendOptions: ["--threads", "--gso", "--cpus"])
        let experiments = LabPlan.experiments(setting(cpus: [0, 1], capabilities: older))
        #expect(experiments.filter { !$0.isAvailable }.map(\.name) == ["many-flows", "steer-cpu", "steer-random", "gro-no-wait"])
        #expect(experiments.first { $0.name == "gro-no-wait" }?.missing == ["mpps recv --rx-usecs"])
        #expect(experiments.first { $0.name == "steer-cpu" }?.missing == ["mpps recv --steer"])
        #expect(experiments.first { $0.name == "many-flows" }?.missing == ["mpps send --flows"])
    }

    @Test func inNamespacesTheTargetsAreTheVethAddresses() {
        let experiments = LabPlan.experiments(setting(cpus: [0, 1], netns: true))
        #expect(experiments[0].sender.prefix(2) == ["send", "198.18.0.1:4321"])
        #expect(experiments[3].sender.prefix(2) == ["send", "198.18.0.1-4:4321"])
        #expect(experiments[3].notes.first?.hasPrefix("each address is a flow of its own, and RPS on the receiving veth") == true)
        #expect(LabPlan.machineNotes(setting(cpus: [0, 1], netns: true))[0].contains("RPS on the receiving veth's RX queues"))
    }

    @Test func theKernelsReceiveWorkGoesOffTheReceivingThreadsCPUs() {
        // 2 CPUs: the receiver of the one-receiver experiments has CPU 1, so RPS takes CPU 0, the sender's.
        #expect(LabPlan.kernelWorkCPUs([0, 1], addresses: 4) == [0])
        #expect(LabPlan.kernelWorkNote([0, 1], addresses: 4) == "RPS on the receiving veth's RX queues puts the kernel's receive work on CPU 0, "
            + "off the receiving thread's CPU 1 of the one-receiver experiments, as the article recommends; "
            + "with 2 CPUs it shares CPU 0 with the sending thread; the experiments with 2 receiving threads have one on CPU 0 too: "
            + "there the kernel's work and a receiving thread cannot be separated")
        // 4 CPUs: receivers on 2-3, senders on 0-1 (4 senders of several-ips take 0-1 and the receivers' CPUs): no spare CPU, so 0-1.
        #expect(LabPlan.kernelWorkCPUs([0, 1, 2, 3], addresses: 4) == [0, 1])
        #expect(LabPlan.kernelWorkNote([0, 1, 2, 3], addresses: 4).hasSuffix("as the article recommends; with 4 CPUs it shares CPU 0 with the sending thread"))
        // 12 CPUs: 4 receivers on 8-11, senders on 0-3: CPUs 4-7 are the kernel's alone.
        #expect(LabPlan.kernelWorkCPUs(Array(0..<12), addresses: 4) == [4, 5, 6, 7])
        #expect(LabPlan.kernelWorkNote(Array(0..<12), addresses: 4) == "RPS on the receiving veth's RX queues puts the kernel's receive work on CPUs 4-7, "
            + "off the receiving thread's CPU 11 of the one-receiver experiments, as the article recommends")
        #expect(LabPlan.kernelWorkCPUs([3], addresses: 4) == [3])
        let notes = LabPlan.machineNotes(setting(cpus: [0, 1], netns: true))
        #expect(notes[1] == LabPlan.kernelWorkNote([0, 1], addresses: 4))
    }

    @Test func inNamespacesAFXDPRunsBesideGSO() throws {
        var withXDP = setting(cpus: [0, 1], netns: true, capabilities: LabCapabilities(
            receiveOptions: Self.everything.receiveOptions.union(["--xdp"]), sendOptions: Self.everything.sendOptions))
        #expect(!LabPlan.experiments(withXDP).contains { $0.name == "af-xdp" }, "no interface, no experiment")
        withXDP.xdpInterface = "mpps-7-rx0"
        let experiments = LabPlan.experiments(withXDP)
        let names = experiments.map(\.name)
        let index = try #require(names.firstIndex(of: "af-xdp"))
        #expect(names[index - 1] == "gso")
        let xdp = experiments[index], gso = experiments[index - 1]
        #expect(xdp.receiver == ["recv", "0.0.0.0:4321", "--xdp", "mpps-7-rx0", "--threads", "4", "--cpus", "1",
                                 "--json", "--duration", "33"])
        #expect(xdp.sender == gso.sender, "the same GSO load")
        #expect(xdp.isAvailable)
        #expect(!names.contains("af-xdp-send"), "no sender's end, no AF_XDP sender")
        withXDP.xdpSenderInterface = "mpps-7-tx0"
        let senders = LabPlan.experiments(withXDP)
        let at = try #require(senders.map(\.name).firstIndex(of: "af-xdp"))
        #expect(senders[at + 1].name == "af-xdp-sendmmsg" && senders[at + 2].name == "af-xdp-send")
        #expect(senders[at + 1].sender == ["send", "198.18.0.1:4321", "--cpus", "0", "--duration", "3", "--json"])
        #expect(senders[at + 2].sender == ["send", "198.18.0.1:4321", "--xdp", "mpps-7-tx0", "--cpus", "0", "--duration", "3", "--json"])
        #expect(senders[at + 2].receiver == xdp.receiver)
        #expect(senders[at + 2].missing == ["mpps send --xdp"], "this build's send options lack --xdp")
        withXDP.xdpSenderInterface = nil
        withXDP.capabilities = Self.everything
        #expect(LabPlan.experiments(withXDP).first { $0.name == "af-xdp" }?.missing == ["mpps recv --xdp"])
    }

    @Test func cpuPlans() {
        #expect(LabPlan.cpuPlan(senders: 1, receivers: 1, cpus: [0, 1]) == CPUPlan(sender: [0], receiver: [1], shared: false))
        #expect(LabPlan.cpuPlan(senders: 2, receivers: 1, cpus: [0, 1]) == CPUPlan(sender: [0, 1], receiver: [1], shared: true))
        #expect(LabPlan.cpuPlan(senders: 4, receivers: 1, cpus: [0, 1]) == CPUPlan(sender: [0, 1], receiver: [1], shared: true))
        #expect(LabPlan.cpuPlan(senders: 2, receivers: 2, cpus: [0, 1]) == CPUPlan(sender: [0, 1], receiver: [0, 1], shared: true))
        #expect(LabPlan.cpuPlan(senders: 1, receivers: 1, cpus: [3]) == CPUPlan(sender: [3], receiver: [3], shared: true))
        #expect(LabPlan.cpuPlan(senders: 2, receivers: 4, cpus: [0, 2, 4, 6, 8, 10]) ==
            CPUPlan(sender: [0, 2], receiver: [4, 6, 8, 10], shared: false))
        #expect(LabPlan.receivingThreads(cpus: 2) == 2)
        #expect(LabPlan.receivingThreads(cpus: 6) == 4)
    }

    @Test func oneCPU() {
        let experiments = LabPlan.experiments(setting(cpus: [0]))
        #expect(experiments[0].notes == ["with 1 CPU, sender and receiver always share it"])
        #expect(experiments[1].receiver.contains("--cpus") && experiments[1].sender.contains("0"))
        #expect(experiments[1].notes.first?.hasPrefix("its 2 threads (1 sending, 1 receiving) need 2 CPUs") == true)
    }

    @Test func secondsAsTyped() {
        #expect(LabPlan.secondsText(3) == "3")
        #expect(LabPlan.secondsText(0.5) == "0.5")
        #expect(LabPlan.secondsText(2.15) == "2.15")
        #expect(LabPlan.secondsText(30.575) == "30.575")
    }

    @Test func rpsMasks() {
        #expect(LabNamespaces.rpsMask([0, 1]) == "3")
        #expect(LabNamespaces.rpsMask([1]) == "2")
        #expect(LabNamespaces.rpsMask([0, 2, 4, 6]) == "55")
        #expect(LabNamespaces.rpsMask(Array(0..<40)) == "ff,ffffffff")
        #expect(LabNamespaces.rpsMask([33]) == "2,00000000")
    }

    @Test func theArgvAPersonTypes() {
        #expect(TrialPlace.argv(["recv", "0.0.0.0:4321"], program: "mpps", namespace: nil) == ["mpps", "recv", "0.0.0.0:4321"])
        #expect(TrialPlace.argv(["send", "198.18.0.1:4321"], program: "mpps", namespace: "mpps-7-tx") ==
            ["ip", "netns", "exec", "mpps-7-tx", "mpps", "send", "198.18.0.1:4321"])
    }
}
