import PacketIO

/// The rules `mpps doctor` applies to each interface that is up, one function
/// a rule, named for the finding it makes.
extension Doctor {
    /// Every finding about one interface, in the order the rules run.
    static func interfaceFindings(_ snapshot: InterfaceSnapshot, topology: CPUTopology?) -> [Finding] {
        let interruptCPUs = Set(snapshot.receiveInterrupts.flatMap { $0.servingCPUs ?? [] })
        let receiving = snapshot.receiveInterrupts.filter { $0.servingCPUs != nil }
        var findings = rssPortsNotHashed(snapshot)
        findings += [rpsOffOrSingleQueue(snapshot, online: topology?.online ?? [], interruptCPUs: interruptCPUs),
                     rxInterruptsOnOneCPU(snapshot, receiving: receiving, interruptCPUs: interruptCPUs)].compactMap { $0 }
        if let topology { findings += numaPlacement(snapshot, topology: topology, receiving: receiving) }
        findings += [rxQueueImbalance(snapshot)].compactMap { $0 }
        findings += drops(snapshot)
        return findings
    }

    /// `rss-udp4-ports-not-hashed`, `rss-udp6-ports-not-hashed`: an interface with several RX
    /// queues whose RSS hash leaves the ports out, so one pair of addresses lands on one queue.
    static func rssPortsNotHashed(_ snapshot: InterfaceSnapshot) -> [Finding] {
        let name = snapshot.name
        guard let queueCount = snapshot.receiveQueueCount, queueCount > 1 else { return [] }
        var findings: [Finding] = []
        for flow in [FlowType.udp4, .udp6] {
            guard case .success(let hash)? = snapshot.flowHashes[flow], !hash.hashesPorts, !hash.discards else { continue }
            let fields = hash.fieldNames.isEmpty ? "no fields" : hash.fieldNames.joined(separator: ", ")
            findings.append(Finding(id: "rss-\(flow.rawValue)-ports-not-hashed", severity: .warning, interface: name,
                statement: "\(name) hashes \(flow.ethtoolTitle) by \(fields) only: all datagrams between one pair of addresses land on one of its \(queueCount) RX queues, whatever their ports",
                recommendation: "hash the ports too: ethtool -N \(name) rx-flow-hash \(flow.rawValue) sdfn; if the NIC refuses (the article's did), send to several destination IPs on \(name) so that flows spread over its queues"))
        }
        return findings
    }

    /// `rps-off` or `single-rx-queue`: an interface with one RX queue on a host with
    /// several CPUs, whose packets one CPU takes through the stack unless RPS spreads
    /// them (or the driver allows more queues).
    static func rpsOffOrSingleQueue(_ snapshot: InterfaceSnapshot, online: [Int], interruptCPUs: Set<Int>) -> Finding? {
        let name = snapshot.name
        guard snapshot.receiveQueueCount == 1 && online.count > 1 else { return nil }
        let channels = try? snapshot.channels.get()
        let maxReceiving = channels?.maxReceiving ?? 0
        let raise = channels.map { $0.maxCombined > 0 ? "ethtool -L \(name) combined \($0.maxCombined)" : "ethtool -L \(name) rx \($0.maxReceive)" }
        if case .success(let queues) = snapshot.queues, queues.rpsOff {
            var spread = online.filter { !interruptCPUs.contains($0) }
            if spread.isEmpty { spread = online }
            let irqNote = interruptCPUs.isEmpty ? "" : ": all but CPU\(interruptCPUs.count == 1 ? "" : "s") \(CPUList(interruptCPUs).description), which take\(interruptCPUs.count == 1 ? "s" : "") its interrupt"
            var recommendation = "spread the work with RPS: echo \(CPUList(spread).kernelMask) > /sys/class/net/\(name)/queues/rx-0/rps_cpus (CPU\(spread.count == 1 ? "" : "s") \(CPUList(spread).description)\(irqNote))"
            if maxReceiving > 1, let raise { recommendation += "; or use more of the \(maxReceiving) queues its driver allows: \(raise)" }
            return Finding(id: "rps-off", severity: .advice, interface: name,
                statement: "\(name) has one RX queue and RPS is off: one CPU takes every packet it receives through the stack",
                recommendation: recommendation)
        }
        guard maxReceiving > 1, let raise else { return nil }
        return Finding(id: "single-rx-queue", severity: .advice, interface: name,
            statement: "\(name) uses one RX queue of the \(maxReceiving) its driver allows: RSS cannot spread flows",
            recommendation: "raise them: \(raise)")
    }

    /// `rx-irqs-one-cpu`: several RX interrupts, all served by one CPU.
    static func rxInterruptsOnOneCPU(_ snapshot: InterfaceSnapshot, receiving: [QueueInterrupt], interruptCPUs: Set<Int>) -> Finding? {
        let name = snapshot.name
        guard receiving.count >= 2 && interruptCPUs.count == 1, let cpu = interruptCPUs.first else { return nil }
        return Finding(id: "rx-irqs-one-cpu", severity: .warning, interface: name,
            statement: "all \(receiving.count) RX interrupts of \(name) go to CPU \(cpu): one CPU processes every queue",
            recommendation: "give each queue its own CPU: echo CPU > /proc/irq/IRQ/smp_affinity_list for IRQs \(receiving.map { String($0.irq) }.joined(separator: ",")) (stop irqbalance first, or it moves them back)")
    }

    /// `numa-node`, `rx-irqs-other-node` and `numa-node-unknown`, on a host with
    /// several NUMA nodes: the interface's node, its RX interrupts served on
    /// another, or a device whose node the kernel does not know.
    static func numaPlacement(_ snapshot: InterfaceSnapshot, topology: CPUTopology, receiving: [QueueInterrupt]) -> [Finding] {
        let name = snapshot.name
        guard topology.nodes.filter({ !$0.value.isEmpty }).count > 1 else { return [] }
        guard let node = snapshot.interface.numaNode else {
            guard snapshot.interface.device != nil else { return [] }
            return [Finding(id: "numa-node-unknown", severity: .info, interface: name,
                statement: "the kernel does not know which NUMA node \(name) is attached to (numa_node -1 or absent)",
                recommendation: "find it in the board's manual or 'lspci -vv'; keep receivers and RX interrupts on that one node")]
        }
        let nodeCPUs = topology.nodes[node] ?? []
        var findings = [Finding(id: "numa-node", severity: .advice, interface: name,
            statement: "\(name) is attached to NUMA node \(node) (CPUs \(CPUList(nodeCPUs).description))",
            recommendation: "keep its receivers and its RX interrupts on node \(node): across nodes the article lost 10% per core, up to 4x at higher rates")]
        let remote = receiving.filter { interrupt in (interrupt.servingCPUs ?? []).contains { !nodeCPUs.contains($0) } }
        if !remote.isEmpty {
            let remoteCPUs = Set(remote.flatMap { $0.servingCPUs ?? [] }).filter { !nodeCPUs.contains($0) }
            let remoteNodes = Set(remoteCPUs.compactMap { topology.node(of: $0) }).sorted().map(String.init).joined(separator: ",")
            findings.append(Finding(id: "rx-irqs-other-node", severity: .advice, interface: name,
                statement: "\(remote.count) of \(name)'s \(receiving.count) RX interrupts are served on node \(remoteNodes) (CPUs \(CPUList(remoteCPUs).description)), not on its node \(node)",
                recommendation: "move them to node \(node)'s CPUs: echo CPU > /proc/irq/IRQ/smp_affinity_list for IRQs \(remote.map { String($0.irq) }.joined(separator: ","))"))
        }
        return findings
    }

    /// `rx-queue-imbalance`: one RX queue took at least half of the interface's
    /// packets since boot (and more than twice its share).
    static func rxQueueImbalance(_ snapshot: InterfaceSnapshot) -> Finding? {
        let name = snapshot.name
        guard case .success(let ethtool) = snapshot.ethtool, let packets = ethtool.rxQueuePackets,
              // A total saturated at 2^64 - 1 (a driver's all-ones counters) says nothing about shares.
              packets.queues.count >= 2, packets.total >= imbalanceMinimum, packets.total < .max,
              let busiest = packets.queues.max(by: { $0.packets < $1.packets }) else { return nil }
        let share = Double(busiest.packets) / Double(packets.total)
        guard share >= max(0.5, 2.0 / Double(packets.queues.count)) else { return nil }
        let cpus = snapshot.receiveInterrupts.first { $0.queue == busiest.queue }?.servingCPUs
        let worker = cpus.map { "CPU \(CPUList($0).description), which serves it," } ?? "the CPU serving it"
        return Finding(id: "rx-queue-imbalance", severity: .warning, interface: name,
            statement: "RX queue \(busiest.queue) of \(name) received \(percent(share)) of its packets since boot (\(busiest.packets) of \(packets.total)): \(worker) did most of the receive work of \(packets.queues.count) queues",
            recommendation: "spread flows over the queues: more flows (source ports, destination IPs) or a hash over ports (ethtool -N \(name) rx-flow-hash udp4 sdfn); watch per-queue rates with watch -d ethtool -S \(name)")
    }

    /// `nic-drops` (the driver's drop counters, ethtool -S) and `interface-drops`
    /// (the kernel's interface statistics, less those the driver's already named).
    static func drops(_ snapshot: InterfaceSnapshot) -> [Finding] {
        let name = snapshot.name
        var findings: [Finding] = []
        var reported = Set<String>()
        if case .success(let ethtool) = snapshot.ethtool {
            let drops = ethtool.nicDrops.filter { $0.value > 0 }
            if !drops.isEmpty {
                reported = Set(drops.map(\.counter.name))
                findings.append(Finding(id: "nic-drops", severity: .warning, interface: name,
                    statement: "\(name)'s driver counted drops since boot: " + drops.map { "\($0.counter.name) \($0.value) (\($0.counter.meaning))" }.joined(separator: "; "),
                    recommendation: "watch whether they grow under load (watch -d ethtool -S \(name)): if so, the CPUs taking its RX interrupts do not keep up; spread flows over more queues and keep other work off those CPUs"))
            }
        }
        if case .success(let statistics) = snapshot.statistics {
            let drops = statistics.receiveDrops.filter { !reported.contains($0.name) }
            if !drops.isEmpty {
                findings.append(Finding(id: "interface-drops", severity: .advice, interface: name,
                    statement: "\(name) counted receive drops since boot: " + drops.map { "\($0.name) \($0.value)" }.joined(separator: ", "),
                    recommendation: "see whether they grow under load: rx_missed/fifo/over mean the NIC ran out of ring buffers (ethtool -G \(name) rx N raises them); rx_dropped, that the stack discarded packets (a full backlog, an unknown protocol)"))
            }
        }
        return findings
    }
}
