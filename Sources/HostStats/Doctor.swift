import PacketIO

/// The rules of `mpps doctor`: pure functions from a ``HostSnapshot`` to findings, in
/// the article's spirit — find out where packets go and which CPU does the work before
/// changing anything.
package enum Doctor {
    /// The receive buffer `mpps recv` asks for by default (4 MiB).
    package static let receiveBufferWanted = 4 << 20
    /// The backlog below which `netdev-backlog-low` speaks.
    package static let backlogWanted = 10_000
    /// The `net.core.skb_defer_max` below which `skb-defer-max-low` speaks: one batch
    /// of `mpps recv` (512), so a batch's buffers all go back to the CPU that allocated them.
    package static let deferredFreeWanted = 512
    /// The packets an interface must have received before `rx-queue-imbalance` judges their spread.
    package static let imbalanceMinimum: UInt64 = 100_000

    /// Applies every rule. `port` is the UDP port named in commands (mpps's default 4321).
    /// Interfaces that are down are described but not judged, and their interrupts are not
    /// avoided when choosing receiver CPUs; loopback gets one finding of its own.
    package static func diagnose(_ snapshot: HostSnapshot, port: Int = 4321) -> DoctorReport {
        let topology = try? snapshot.topology.get()
        let receiverCPUs = topology.map { suggestReceiverCPUs(topology: $0, interfaces: snapshot.interfaces) }
        var findings: [Finding] = []
        for interface in snapshot.interfaces where !interface.interface.isLoopback && interface.interface.isUp {
            findings += interfaceFindings(interface, topology: topology)
        }
        if snapshot.interfaces.contains(where: { $0.interface.isLoopback }) {
            findings.append(Finding(id: "loopback", severity: .info, interface: "lo",
                statement: "lo delivers each datagram in the sender's context: it has no RX queues or interrupts, the sending CPU does the receiving work",
                recommendation: "pin sender and receiver to different CPUs (mpps send --cpus 0, mpps recv --cpus 1); a veth pair in a network namespace models a NIC's queues"))
        }
        findings += hostFindings(snapshot, port: port)
        if let receiverCPUs, !receiverCPUs.interruptCPUs.isEmpty, (topology?.online.count ?? 0) > 1 {
            let list = CPUList(receiverCPUs.cpus).description
            findings.append(Finding(id: "receiver-cpus", severity: .advice,
                statement: "suggested receiver CPUs: \(list) (\(receiverCPUs.reason))",
                recommendation: "mpps recv --reuseport --threads \(receiverCPUs.cpus.count) --cpus \(list)"))
        }
        let ordered = [Finding.Severity.warning, .advice, .info].flatMap { severity in findings.filter { $0.severity == severity } }
        return DoctorReport(snapshot: snapshot, findings: ordered + snapshot.failures.map(unreadable), receiverCPUs: receiverCPUs)
    }

    /// The finding for a reading that could not be done.
    package static func unreadable(_ failure: HostReadError) -> Finding {
        let recommendation: String
        switch failure.kind {
        case .permissionDenied: recommendation = "run mpps doctor as root"
        case .unsupported: recommendation = "the driver does not offer it; the checks that need it were skipped"
        case .missing: recommendation = "this kernel, device or fixture does not provide it; the checks that need it were skipped"
        case .noSuchInterface: recommendation = "check the name with 'ip link'"
        case .malformed: recommendation = "the format is not one mpps knows; the checks that need it were skipped"
        case .system: recommendation = "the checks that need it were skipped"
        }
        return Finding(id: "unreadable", severity: .info, statement: failure.description, recommendation: recommendation)
    }

    // MARK: - Host

    static func hostFindings(_ snapshot: HostSnapshot, port: Int) -> [Finding] {
        var findings: [Finding] = []
        let sysctls = snapshot.sysctls
        if let size = sysctls.receiveBufferMax, size < receiveBufferWanted {
            findings.append(Finding(id: "rmem-max-small", severity: .advice,
                statement: "net.core.rmem_max is \(size) bytes (\(kibibytes(size))): without root a socket's receive buffer is capped there, and mpps recv asks for 4 MiB",
                recommendation: "raise it: sysctl -w net.core.rmem_max=\(receiveBufferWanted) (as root, mpps recv uses SO_RCVBUFFORCE and is not capped)"))
        }
        if let backlog = sysctls.maxBacklog, backlog < backlogWanted {
            findings.append(Finding(id: "netdev-backlog-low", severity: .advice,
                statement: "net.core.netdev_max_backlog is \(backlog): each CPU's backlog (used by RPS, loopback and veth) holds \(backlog) packets, \(backlog) µs of traffic at 1M pps",
                recommendation: "sysctl -w net.core.netdev_max_backlog=\(backlogWanted) (its drops show in the second column of /proc/net/softnet_stat)"))
        }
        if case .success(let softnet) = snapshot.softnet {
            let dropping = softnet.cpus.filter { $0.dropped > 0 }
            if !dropping.isEmpty {
                let total = dropping.reduce(UInt64(0)) { $0 + UInt64($1.dropped) }
                findings.append(Finding(id: "softnet-drops", severity: .warning,
                    statement: "CPU\(dropping.count == 1 ? "" : "s") \(CPUList(dropping.map(\.cpu)).description) dropped \(total) packets since boot because the backlog was full (/proc/net/softnet_stat)",
                    recommendation: "raise net.core.netdev_max_backlog\(sysctls.maxBacklog.map { " (now \($0))" } ?? ""), and spread RPS over more CPUs"))
            }
            let squeezed = softnet.total.timeSqueeze
            if squeezed > 0 {
                findings.append(Finding(id: "softnet-squeeze", severity: .info,
                    statement: "the receive softirq ran out of budget \(squeezed) times since boot (time_squeeze in /proc/net/softnet_stat)",
                    recommendation: "if it grows under load, raise net.core.netdev_budget\(sysctls.budget.map { " (now \($0))" } ?? "") or net.core.netdev_budget_usecs"))
            }
        }
        let notrack = "iptables -t raw -I PREROUTING 1 -p udp --dport \(port) -j NOTRACK"
        if snapshot.conntrack.loaded {
            if let entries = snapshot.conntrack.entries, entries == 0 {
                findings.append(Finding(id: "conntrack-loaded", severity: .info,
                    statement: "connection tracking is loaded but tracks nothing now (0 connections)",
                    recommendation: "if a firewall rule starts using it, exempt the benchmark port as the article does: \(notrack)"))
            } else {
                let what = snapshot.conntrack.entries.map { "tracks \($0) connection\($0 == 1 ? "" : "s")" } ?? "is loaded (\(snapshot.conntrack.evidence))"
                findings.append(Finding(id: "conntrack-active", severity: .warning,
                    statement: "connection tracking \(what): every datagram of a tracked flow pays a table lookup",
                    recommendation: "exempt the benchmark port, as the article does: \(notrack) (and iptables -t raw -I OUTPUT 1 -p udp --dport \(port) -j NOTRACK on the sender)"))
            }
        }
        if let deferred = sysctls.deferredFreeMax, deferred < deferredFreeWanted {
            findings.append(Finding(id: "skb-defer-max-low", severity: .advice,
                statement: "net.core.skb_defer_max is \(deferred): a receiving thread on another CPU than the one that took its packets in hands at most \(deferred) buffers back to that CPU at a time and frees the rest itself, the slow way; one recvmmsg call of mpps recv frees up to 512",
                recommendation: "sysctl -w net.core.skb_defer_max=\(deferredFreeWanted) (on a 2-CPU VM, raising it from 64 to 512 or 4096 gave a receiver pinned apart from the delivering CPU about 15% more datagrams/s at 20% less CPU per datagram)"))
        }
        if sysctls.busyRead == 0 && sysctls.busyPoll == 0 {
            findings.append(Finding(id: "busy-poll-off", severity: .info,
                statement: "busy polling is off (net.core.busy_read 0, net.core.busy_poll 0)",
                recommendation: "for lower latency at the cost of a spinning CPU: sysctl -w net.core.busy_read=50 (or SO_BUSY_POLL per socket); it does not raise throughput"))
        }
        return findings
    }

    // MARK: - Receiver CPUs

    /// Chooses receiver CPUs: on the NICs' node, clear of the CPUs taking their RX
    /// interrupts and of those CPUs' SMT siblings; failing that, clear on another node;
    /// failing that, siblings; failing that, every CPU. Loopback is ignored (it has no interrupts).
    package static func suggestReceiverCPUs(topology: CPUTopology, interfaces: [InterfaceSnapshot]) -> ReceiverCPUs {
        let nics = interfaces.filter { !$0.interface.isLoopback && $0.interface.isUp }
        let online = topology.online
        let interruptCPUs = Set(nics.flatMap { $0.receiveInterrupts.flatMap { $0.servingCPUs ?? [] } }).intersection(online)
        let siblings = Set(interruptCPUs.flatMap { topology.siblings(of: $0) }).subtracting(interruptCPUs).intersection(online)
        let multiNode = topology.nodes.filter { !$0.value.isEmpty }.count > 1
        let node = multiNode ? nics.compactMap(\.interface.numaNode).first : nil
        let nodeCPUs = node.map { node in online.filter { topology.nodes[node]?.contains($0) == true } } ?? online
        let names = nics.map(\.name).joined(separator: ", ")
        let irqText = CPUList(interruptCPUs).description
        let siblingText = siblings.isEmpty ? "" : " and their SMT siblings (\(CPUList(siblings).description))"
        func make(_ cpus: [Int], _ choice: ReceiverCPUs.Choice, _ reason: String) -> ReceiverCPUs {
            ReceiverCPUs(cpus: cpus.sorted(), nicNode: node, interruptCPUs: interruptCPUs.sorted(),
                         interruptSiblings: siblings.sorted(), choice: choice, reason: reason)
        }
        let clear = nodeCPUs.filter { !interruptCPUs.contains($0) && !siblings.contains($0) }
        if !clear.isEmpty {
            if interruptCPUs.isEmpty {
                return make(clear, .clear, "no RX interrupts of \(names.isEmpty ? "any interface" : names) were found to avoid")
            }
            let place = node.map { "on \(names)'s NUMA node \($0), " } ?? ""
            return make(clear, .clear, "\(place)clear of the CPUs taking RX interrupts (\(irqText))\(siblingText)")
        }
        if let node {
            let elsewhere = online.filter { !nodeCPUs.contains($0) && !interruptCPUs.contains($0) && !siblings.contains($0) }
            if !elsewhere.isEmpty {
                let nodes = Set(elsewhere.compactMap { topology.node(of: $0) }).sorted().map(String.init).joined(separator: ",")
                return make(elsewhere, .otherNode, "on node \(nodes): every CPU of \(names)'s node \(node) takes RX interrupts (\(irqText)) or is an SMT sibling of one; the article measured a receiver on the other node about 10% slower and less steady, a sibling at half speed")
            }
        }
        let nodeFree = nodeCPUs.filter { !interruptCPUs.contains($0) }
        let free = nodeFree.isEmpty ? online.filter { !interruptCPUs.contains($0) } : nodeFree
        if !free.isEmpty {
            return make(free, .siblings, "SMT siblings of the CPUs taking RX interrupts (\(irqText)), which the article measured at half speed: no CPU is clear of them")
        }
        return make(online, .shared, "every CPU takes RX interrupts (\(irqText)): on an interrupt's own CPU the article's receiver was fastest but unstable, dropping to zero when the NIC was overwhelmed")
    }

    /// `0.99991` → `99.99%`, `0.5` → `50.00%`: two decimals, rounded down so that a share short of all never reads 100%.
    static func percent(_ share: Double) -> String {
        DecimalText.percent(share, decimals: 2, rounding: .down)
    }

    /// `212992` → `208 KiB`; `4194304` → `4 MiB`.
    static func kibibytes(_ bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes % 1024 == 0 { return "\(bytes / 1024) KiB" }
        // A sysctl's text may hold any number: one this cannot scale is shown as it is.
        let (scaled, overflow) = bytes.multipliedReportingOverflow(by: 10)
        guard !overflow, bytes >= 0, scaled <= Int.max - 512 else { return "\(bytes) bytes" }
        let tenths = (scaled + 512) / 1024
        return "\(tenths / 10).\(tenths % 10) KiB"
    }
}
