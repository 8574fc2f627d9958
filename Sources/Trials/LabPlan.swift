import PacketIO
import Reporting

/// The article's experiments in its order, as `mpps` command lines for this
/// machine: ``experiments(_:)`` is pure, so the tests can check every argument.
package enum LabPlan {
    /// Receiving threads for the multi-threaded experiments: the article's 4 when
    /// there are CPUs for them and for 2 senders, else 2.
    package static func receivingThreads(cpus: Int) -> Int { cpus >= 6 ? 4 : 2 }

    /// Receivers take the last CPUs (away from CPU 0, which takes most interrupts),
    /// senders the first of the others; when there are too few, senders share the
    /// receivers' CPUs rather than each other's, so sending capacity still grows.
    package static func cpuPlan(senders: Int, receivers: Int, cpus: [Int]) -> CPUPlan {
        guard !cpus.isEmpty else { return CPUPlan(sender: [], receiver: [], shared: true) }
        let receiverCPUs = Array(cpus.suffix(min(receivers, cpus.count)))
        let others = cpus.filter { !receiverCPUs.contains($0) }
        let senderCPUs = Array((others + receiverCPUs).prefix(min(senders, cpus.count)))
        return CPUPlan(sender: senderCPUs, receiver: receiverCPUs, shared: senders + receivers > cpus.count)
    }

    /// `3` for 3 seconds, `0.5` for half a second.
    package static func secondsText(_ seconds: Double) -> String { Units.plain(seconds) }

    /// How long a receiver may run at most: it is stopped with SIGINT once its
    /// sender has ended, so this only bounds a run whose parent vanished.
    package static func receiverBound(_ seconds: Double) -> Double { seconds + 30 }

    /// The experiments, in the article's order.
    package static func experiments(_ setting: LabSetting) -> [LabExperiment] {
        let lines = LabCommandLines(setting)
        var all = articleExperiments(lines) + reusePortExperiments(lines) + offloadExperiments(lines)
        if let interface = setting.xdpInterface, let gso = all.firstIndex(where: { $0.name == "gso" }) {
            // Beside gso: the same sender, the same receiving CPU, AF_XDP instead of the socket path.
            all.insert(xdpExperiment(lines, interface: interface), at: gso + 1)
        }
        return withXDPSenders(all, setting)
    }

    /// `all` with the senders into `recv --xdp` after `af-xdp`, when the setting has both ends of a veth.
    static func withXDPSenders(_ all: [LabExperiment], _ setting: LabSetting) -> [LabExperiment] {
        guard let device = setting.xdpSenderInterface, let at = all.firstIndex(where: { $0.name == "af-xdp" }) else { return all }
        var experiments = all
        experiments.insert(contentsOf: xdpSenders(beside: all[at], device: device, capabilities: setting.capabilities), at: at + 1)
        return experiments
    }

    /// The senders into `recv --xdp`, after `afXDP` (which sends with GSO): the socket sender
    /// without GSO, then the AF_XDP sender on the sender's end of the veth, `device`.
    static func xdpSenders(beside afXDP: LabExperiment, device: String, capabilities: LabCapabilities) -> [LabExperiment] {
        var plain = afXDP.sender
        if let gso = plain.firstIndex(of: "--gso") { plain.removeSubrange(gso...(gso + 1)) }
        var xdp = plain
        xdp.insert(contentsOf: ["--xdp", device], at: 2)
        let receiveMissing = afXDP.missing.filter { $0.hasPrefix("mpps recv") }
        return [
            LabExperiment(name: "af-xdp-sendmmsg", title: "sendmmsg sender without GSO, AF_XDP receiver",
                          shows: "the socket sender's cost per datagram, the baseline for af-xdp-send: one trip through the kernel's UDP stack per datagram",
                          receiver: afXDP.receiver, sender: plain, missing: receiveMissing, notes: afXDP.notes),
            LabExperiment(name: "af-xdp-send", title: "AF_XDP sender (copy mode, frames built once), AF_XDP receiver",
                          shows: "not in the article (Linux 5.4 for the need-wakeup flag): the sender writes whole frames into its UMEM and skips the UDP stack; "
                              + "copy mode still builds an skb per frame, at most 32 per system call",
                          receiver: afXDP.receiver, sender: xdp,
                          missing: receiveMissing + (capabilities.sendOptions.contains("--xdp") ? [] : ["mpps send --xdp"]), notes: afXDP.notes),
        ]
    }

    /// The article's first four: naive, pinned, two senders, several destination addresses.
    static func articleExperiments(_ lines: LabCommandLines) -> [LabExperiment] {
        let setting = lines.setting
        let one = lines.plan(senders: 1, receivers: 1)
        let two = lines.plan(senders: 2, receivers: 1)
        let several = lines.plan(senders: setting.addresses.count, receivers: 1)
        let severalNotes = setting.netns
            ? ["each address is a flow of its own, and RPS on the receiving veth hashes each flow to a CPU: "
                + "with \(lines.cpus.count) CPU\(lines.cpus.count == 1 ? "" : "s") at most \(lines.cpus.count) share the kernel's work"]
            : ["loopback has no RX queues to spread addresses over: only the number of sending threads changes "
                + "(the article's gain came from a second RX queue's CPU; mpps lab --netns spreads flows over CPUs with RPS)"]
        return [
            LabExperiment(name: "naive", title: "1 sending thread, 1 receiving thread, unpinned",
                          shows: "the article: 0.197-0.352M pps, varying as the scheduler moves the programs between CPUs",
                          receiver: lines.receiver([]), sender: lines.sender([lines.main], []), missing: [],
                          notes: lines.cpus.count < 2 ? ["with 1 CPU, sender and receiver always share it"] : []),
            LabExperiment(name: "pinned", title: "sender on CPU \(CPUList(one.sender)), receiver on CPU \(CPUList(one.receiver)) (taskset)",
                          shows: "the article: 0.36-0.37M pps, steadier: each program keeps its CPU's caches",
                          receiver: lines.receiver(lines.pin(one.receiver)), sender: lines.sender([lines.main], lines.pin(one.sender)),
                          missing: [], notes: lines.sharing(1, 1)),
            LabExperiment(name: "two-senders", title: "2 sending threads, 1 receiving thread",
                          shows: "the article: no gain (0.35M pps): the one RX queue's CPU was already full",
                          receiver: lines.receiver(lines.pin(two.receiver)),
                          sender: lines.sender([lines.main], ["--threads", "2"] + lines.pin(two.sender)),
                          missing: [], notes: lines.sharing(2, 1)),
            LabExperiment(name: "several-ips", title: "\(setting.addresses.count) destination addresses, 1 receiving thread",
                          shows: "the article: 0.61-0.66M pps, two RX queues' CPUs sharing the kernel's work; then RcvbufErrors: the one reading thread is the limit",
                          receiver: lines.receiver(lines.pin(several.receiver)), sender: lines.sender(lines.targets, lines.pin(several.sender)),
                          missing: [], notes: severalNotes + lines.sharing(setting.addresses.count, 1), addressesNeeded: 2),
        ]
    }

    /// Several receiving threads: one shared socket, SO_REUSEPORT with 2 and 16 flows, and steered.
    static func reusePortExperiments(_ lines: LabCommandLines) -> [LabExperiment] {
        let receivers = lines.receivers
        let group = lines.plan(senders: 2, receivers: receivers)
        let threads = ["--threads", "\(receivers)"]
        let senders = lines.sender([lines.main], ["--threads", "2"] + lines.pin(group.sender))
        return [
            LabExperiment(name: "shared-socket", title: "\(receivers) receiving threads sharing one socket",
                          shows: "the article: slower (0.46-0.50M pps): the threads contend for the socket's receive-queue lock",
                          receiver: lines.receiver(threads + lines.pin(group.receiver)), sender: senders,
                          missing: [], notes: lines.fewReceivers + lines.sharing(2, receivers)),
            LabExperiment(name: "reuseport", title: "SO_REUSEPORT: a socket per receiving thread (\(receivers)), 2 flows",
                          shows: "the article: 1.1M pps with 4 threads; the hash of each flow picks a socket, so few flows can collide and leave a thread idle",
                          receiver: lines.receiver(threads + ["--reuseport"] + lines.pin(group.receiver)), sender: senders,
                          missing: [], notes: lines.fewReceivers + lines.sharing(2, receivers)),
            LabExperiment(name: "many-flows", title: "SO_REUSEPORT with 16 flows",
                          shows: "the article's last words: the load spreads well as long as there are many flows",
                          receiver: lines.receiver(threads + ["--reuseport"] + lines.pin(group.receiver)),
                          sender: lines.sender([lines.main], ["--threads", "2", "--flows", "16"] + lines.pin(group.sender)),
                          missing: lines.missingSend(["--flows"]), notes: lines.sharing(2, receivers)),
            LabExperiment(name: "steer-cpu", title: "SO_REUSEPORT steered to the socket of the CPU that processed the datagram",
                          shows: "a reuseport BPF program (SO_ATTACH_REUSEPORT_CBPF) instead of the hash: each CPU's datagrams go to the thread pinned there"
                            + (lines.setting.netns ? " (here, the CPU RPS chose)" : " (on loopback, the sender's CPU)"),
                          receiver: lines.receiver(threads + ["--reuseport", "--steer", "cpu"] + lines.pin(group.receiver)), sender: senders,
                          missing: lines.missingReceive(["--steer"]), notes: lines.sharing(2, receivers)),
            LabExperiment(name: "steer-random", title: "SO_REUSEPORT steered at random",
                          shows: "an even spread whatever the flows, at the price of reordering within a flow",
                          receiver: lines.receiver(threads + ["--reuseport", "--steer", "random"] + lines.pin(group.receiver)), sender: senders,
                          missing: lines.missingReceive(["--steer"]), notes: lines.sharing(2, receivers)),
        ]
    }

    /// Past the article: UDP GSO on the sender, GRO on the receiver, and GRO without waiting.
    static func offloadExperiments(_ lines: LabCommandLines) -> [LabExperiment] {
        let one = lines.plan(senders: 1, receivers: 1)
        let gsoSender = lines.sender([lines.main], ["--gso", "64"] + lines.pin(one.sender))
        return [
            LabExperiment(name: "gso", title: "UDP GSO: the sender hands the kernel 64 datagrams per message",
                          shows: "not in the article (Linux 4.18): one trip through the stack per 64 datagrams; the sender offers far more and the receiving thread becomes the limit",
                          receiver: lines.receiver(lines.pin(one.receiver)), sender: gsoSender,
                          missing: lines.missingSend(["--gso"]), notes: lines.sharing(1, 1)),
            LabExperiment(name: "gro", title: "UDP GSO sender, UDP GRO receiver",
                          shows: "not in the article (Linux 5.0): the receiver takes many datagrams per message, tens of millions per second",
                          receiver: lines.receiver(["--gro"] + lines.pin(one.receiver)), sender: gsoSender,
                          missing: lines.missingReceive(["--gro"]) + lines.missingSend(["--gso"]), notes: lines.sharing(1, 1)),
            LabExperiment(name: "gro-no-wait", title: "UDP GRO receiver that blocks again at once (--rx-usecs 0)",
                          shows: "not in the article: the receiver keeps up, sleeps, and each wake-up costs the delivering CPU; gro waits 50 microseconds for a batch instead",
                          receiver: lines.receiver(["--gro", "--rx-usecs", "0"] + lines.pin(one.receiver)), sender: gsoSender,
                          missing: lines.missingReceive(["--gro", "--rx-usecs"]) + lines.missingSend(["--gso"]), notes: lines.sharing(1, 1)),
        ]
    }

    /// `af-xdp`: the gso experiment's sender, an AF_XDP receiver on `interface`.
    static func xdpExperiment(_ lines: LabCommandLines, interface: String) -> LabExperiment {
        let one = lines.plan(senders: 1, receivers: 1)
        let queues = LabNamespaces.queues
        return LabExperiment(
            name: "af-xdp", title: "UDP GSO sender, AF_XDP receiver (\(queues) threads, one per RX queue of \(interface))",
            shows: "not in the article (Linux 5.9 for the bpf link): an XDP program hands the datagrams to AF_XDP sockets before the kernel's "
                + "UDP stack; the receiving process spends a few ns per datagram, the copy is charged to the delivering CPU's softirq",
            receiver: lines.receiver(["--xdp", interface, "--threads", "\(queues)"] + lines.pin(one.receiver)),
            sender: lines.sender([lines.main], ["--gso", "64"] + lines.pin(one.sender)),
            missing: lines.missingReceive(["--xdp"]) + lines.missingSend(["--gso"]),
            notes: ["copy mode (veth has no zero-copy); the one flow lands on one of the \(queues) RX queues, so one thread reads and "
                + "\(queues - 1) wait in poll"] + lines.sharing(1, 1))
    }

    /// `address:port`, with an IPv6 address in brackets (`[2001:db8::1]:4321`), as `mpps send` takes it.
    package static func endpoint(_ address: String, _ port: UInt16) -> String {
        address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    /// True when `addresses` are IPv4 addresses whose last octets count up by one
    /// with the first three equal: they can be written as one range, `A.B.C.D-E`.
    package static func consecutiveIPv4(_ addresses: [String]) -> Bool {
        let parsed = addresses.map { $0.split(separator: ".").map { UInt8($0) } }
        guard let first = parsed.first, first.count == 4, !first.contains(nil) else { return false }
        for (index, octets) in parsed.enumerated() {
            guard octets.count == 4, !octets.contains(nil), Array(octets.prefix(3)) == Array(first.prefix(3)),
                  let lastOctet = octets[3], let start = first[3], Int(lastOctet) == Int(start) + index else { return false }
        }
        return true
    }

    /// The CPUs `lab --netns` gives the kernel's receive work (the RPS mask of the
    /// receiving veth's queues), as the article recommends: off the receiving
    /// threads' CPUs. First choice, CPUs no experiment's threads use; else CPUs no
    /// receiving thread uses (they share with senders, whose work is in the
    /// kernel anyway); else every CPU but the one-receiver experiments' receiving
    /// CPU; with one CPU, that CPU. RPS spread over all CPUs (the lab's old
    /// choice) hashed the flows of `gso` and `several-ips` onto the receiving
    /// thread's own CPU and starved it (receive livelock).
    package static func kernelWorkCPUs(_ cpus: [Int], addresses: Int) -> [Int] {
        guard cpus.count > 1 else { return cpus }
        let receivers = receivingThreads(cpus: cpus.count)
        let receiving = Set(cpuPlan(senders: 2, receivers: receivers, cpus: cpus).receiver)
        let sending = Set(cpuPlan(senders: max(addresses, 2), receivers: 1, cpus: cpus).sender)
        let spare = cpus.filter { !receiving.contains($0) && !sending.contains($0) }
        if !spare.isEmpty { return spare }
        let noReceiver = cpus.filter { !receiving.contains($0) }
        if !noReceiver.isEmpty { return noReceiver }
        let single = Set(cpuPlan(senders: 1, receivers: 1, cpus: cpus).receiver)
        return cpus.filter { !single.contains($0) }
    }

    /// What `lab --netns` did with the kernel's receive work, and what it cannot separate here.
    package static func kernelWorkNote(_ cpus: [Int], addresses: Int) -> String {
        let kernel = kernelWorkCPUs(cpus, addresses: addresses)
        let receivers = receivingThreads(cpus: cpus.count)
        let receiving = cpuPlan(senders: 2, receivers: receivers, cpus: cpus).receiver
        let single = cpuPlan(senders: 1, receivers: 1, cpus: cpus)
        var note = "RPS on the receiving veth's RX queues puts the kernel's receive work on CPU\(kernel.count == 1 ? "" : "s") \(CPUList(kernel)), "
            + "off the receiving thread's CPU \(CPUList(single.receiver)) of the one-receiver experiments, as the article recommends"
        let withSenders = kernel.filter { single.sender.contains($0) }
        if !withSenders.isEmpty {
            note += "; with \(cpus.count) CPUs it shares CPU \(CPUList(withSenders)) with the sending thread"
        }
        let withReceivers = kernel.filter { receiving.contains($0) }
        if !withReceivers.isEmpty {
            note += "; the experiments with \(receivers) receiving threads have one on CPU \(CPUList(withReceivers)) too: "
                + "there the kernel's work and a receiving thread cannot be separated"
        }
        return note
    }

    /// What this machine cannot show, said once before the experiments.
    package static func machineNotes(_ setting: LabSetting) -> [String] {
        var notes: [String] = []
        if setting.netns {
            notes.append("the sender runs in one network namespace and the receiver in another, joined by a veth pair; "
                + "RPS on the receiving veth's RX queues spreads flows over CPUs as a multi-queue NIC's RSS would")
            if setting.cpus.count > 1 { notes.append(kernelWorkNote(setting.cpus, addresses: setting.addresses.count)) }
        } else {
            notes.append("on loopback the kernel delivers each datagram in the sending thread's context: the sender's CPU does "
                + "the receive stack's work (the article's RX-queue CPU) and the receiving thread only copies; mpps lab --netns "
                + "(root) moves that work to the CPUs RPS picks")
        }
        notes.append("the article's RX-queue and NUMA effects (ethtool -S per queue, the RSS hash, a receiver on the wrong node) "
            + "need a multi-queue NIC and two NUMA nodes; this lab has neither: run mpps doctor on a host that has")
        if setting.cpus.count < 4 {
            notes.append("mpps may use \(setting.cpus.count) CPU\(setting.cpus.count == 1 ? "" : "s") here "
                + "(\(CPUList(setting.cpus))): experiments with more threads than CPUs cannot show their effect cleanly")
        }
        return notes
    }
}
