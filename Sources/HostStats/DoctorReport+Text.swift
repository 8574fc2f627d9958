import PacketIO

extension DoctorReport {
    /// The report as `mpps doctor` prints it: CPUs and NUMA, each interface (queues,
    /// interrupts and their CPUs, RPS/XPS, NUMA node, RSS hash fields, counters),
    /// sysctls, conntrack, softnet, suggested receiver CPUs, then the findings with
    /// their recommendations.
    package var text: String {
        var out = ""
        if snapshot.root != "/" { out += "host: the fixture tree \(snapshot.root)\n\n" }
        out += cpuSection
        for interface in snapshot.interfaces { out += "\n" + Self.interfaceSection(interface) }
        out += "\n" + sysctlSection
        out += "\n" + softnetSection
        if let receiverCPUs {
            out += "\nsuggested receiver CPUs: \(receiverCPUs.cpus.isEmpty ? "none" : CPUList(receiverCPUs.cpus).description)\n"
            out += "  \(receiverCPUs.reason)\n"
        }
        out += "\nfindings\n"
        if findings.isEmpty { out += "  none\n" }
        for finding in findings {
            let about = finding.interface.map { " (\($0))" } ?? ""
            out += "  [\(finding.severity.rawValue)] \(finding.id)\(about): \(finding.statement)\n"
            out += "      → \(finding.recommendation)\n"
        }
        return out
    }

    var cpuSection: String {
        var out = "CPUs & NUMA\n"
        guard case .success(let topology) = snapshot.topology else {
            return out + "  unknown (see the findings)\n"
        }
        out += "  online: \(CPUList(topology.online).description) (\(topology.online.count) CPUs, \(topology.coreCount) cores, \(topology.packageCount) package\(topology.packageCount == 1 ? "" : "s"))\n"
        if topology.nodes.isEmpty {
            out += "  NUMA: no nodes reported (one memory domain)\n"
        }
        for node in topology.nodes.keys.sorted() {
            out += "  NUMA node \(node): CPUs \(CPUList(topology.nodes[node] ?? []).description)\n"
        }
        let groups = topology.siblingGroups
        out += groups.isEmpty ? "  SMT: no CPUs share a core\n"
            : "  SMT siblings: " + groups.map { $0.map(String.init).joined(separator: "+") }.joined(separator: " ") + "\n"
        return out
    }

    static func interfaceSection(_ snapshot: InterfaceSnapshot) -> String {
        let interface = snapshot.interface
        var about: [String] = []
        if let driver = interface.driver { about.append("driver \(driver)") }
        if let device = interface.device { about.append("device \(device)") }
        if let state = interface.operationalState { about.append(state) }
        var out = "interface \(interface.name)" + (about.isEmpty ? "" : ": " + about.joined(separator: ", ")) + "\n"
        out += "  NUMA node: \(interface.numaNode.map(String.init) ?? (interface.device == nil ? "none (no device)" : "unknown"))\n"
        out += queueLine(snapshot)
        out += hashLine(snapshot)
        out += interruptLines(snapshot)
        if case .success(let queues) = snapshot.queues {
            out += "  RPS: " + masks(queues.receive.map { ("rx-\($0.index)", $0.rpsCPUs) }) + "\n"
            out += "  XPS: " + masks(queues.transmit.map { ("tx-\($0.index)", $0.xpsCPUs) }) + "\n"
        }
        out += counterLines(snapshot)
        return out
    }

    /// `  queues: 4 RX, 4 TX; channels: 4 combined (max 8)`.
    static func queueLine(_ snapshot: InterfaceSnapshot) -> String {
        var line = "  queues: "
        switch snapshot.queues {
        case .success(let queues): line += "\(queues.receive.count) RX, \(queues.transmit.count) TX"
        case .failure: line += "unread"
        }
        switch snapshot.channels {
        case .success(let channels):
            line += "; channels: " + [("RX", channels.receive, channels.maxReceive), ("TX", channels.transmit, channels.maxTransmit),
                                      ("other", channels.other, channels.maxOther), ("combined", channels.combined, channels.maxCombined)]
                .filter { $0.1 > 0 || $0.2 > 0 }.map { "\($0.1) \($0.0) (max \($0.2))" }.joined(separator: ", ")
        case .failure: line += "; channels: unread"
        }
        return line + "\n"
    }

    /// `  RSS hash: udp4 IP SA, IP DA (ports not hashed); udp6 …`; empty when no hash was read.
    static func hashLine(_ snapshot: InterfaceSnapshot) -> String {
        var hashes: [String] = []
        for flow in [FlowType.udp4, .udp6] {
            guard let result = snapshot.flowHashes[flow] else { continue }
            switch result {
            case .success(let hash):
                let fields = hash.discards ? "discarded" : (hash.fieldNames.isEmpty ? "none" : hash.fieldNames.map(shortField).joined(separator: ", "))
                let spreads = (snapshot.receiveQueueCount ?? 2) > 1
                hashes.append("\(flow.rawValue) \(fields)" + (hash.hashesPorts || hash.discards || !spreads ? "" : " (ports not hashed)"))
            case .failure:
                hashes.append("\(flow.rawValue) unread")
            }
        }
        return hashes.isEmpty ? "" : "  RSS hash: " + hashes.joined(separator: "; ") + "\n"
    }

    /// A line per interrupt of the interface: its queue, the CPUs serving it, and its count.
    static func interruptLines(_ snapshot: InterfaceSnapshot) -> String {
        if snapshot.interrupts.isEmpty { return "  interrupts: none found in /proc/interrupts\n" }
        var out = "  interrupts → CPUs:\n"
        let width = snapshot.interrupts.map(\.name.count).max() ?? 0
        for interrupt in snapshot.interrupts {
            let queue = interrupt.queue.map { " \($0)" } ?? ""
            let cpus = interrupt.servingCPUs.map { "CPU " + CPUList($0).description } ?? "CPU ?"
            let allowed = interrupt.effectiveAffinity != nil && interrupt.affinity != nil && interrupt.affinity != interrupt.effectiveAffinity
                ? " (allowed \(CPUList(interrupt.affinity ?? []).description))" : ""
            out += "    IRQ \(pad(String(interrupt.irq), 4)) \(interrupt.name)\(String(repeating: " ", count: width - interrupt.name.count))  \(interrupt.kind.rawValue)\(queue) → \(cpus)\(allowed), \(interrupt.total) since boot\n"
        }
        return out
    }

    /// The interface's counters since boot, its packets per RX queue and its NIC drop counters, as far as they were read.
    static func counterLines(_ snapshot: InterfaceSnapshot) -> String {
        var out = ""
        if case .success(let statistics) = snapshot.statistics {
            let shown = ["rx_packets", "rx_dropped", "rx_missed_errors", "rx_fifo_errors", "rx_over_errors", "tx_packets", "tx_dropped"]
            out += "  counters since boot: " + shown.filter { statistics.counters[$0] != nil }.map { "\($0) \(statistics[$0])" }.joined(separator: ", ") + "\n"
        }
        if case .success(let ethtool) = snapshot.ethtool {
            if let packets = ethtool.rxQueuePackets {
                out += "  packets per RX queue (ethtool \(packets.scheme)): " + packets.queues.map { "\($0.queue): \($0.packets)" }.joined(separator: ", ") + "\n"
            }
            let drops = ethtool.nicDrops
            if !drops.isEmpty {
                out += "  NIC drop counters (ethtool): " + drops.map { "\($0.counter.name) \($0.value)" }.joined(separator: ", ") + "\n"
            }
        }
        return out
    }

    /// `rx-0 → 1-3, rx-1 → 4-7`, or `off on all 11 queues`.
    static func masks(_ queues: [(String, [Int]?)]) -> String {
        if queues.isEmpty { return "no queues" }
        if queues.allSatisfy({ $0.1 == nil }) { return "not applicable" }
        if queues.allSatisfy({ $0.1?.isEmpty == true }) {
            return queues.count == 1 ? "off" : "off (all \(queues.count) queues)"
        }
        return queues.map { "\($0.0) → " + ($0.1.map { $0.isEmpty ? "off" : CPUList($0).description } ?? "?") }.joined(separator: ", ")
    }

    /// ethtool's field names without the bracketed explanation: `L4 bytes 0 & 1`.
    static func shortField(_ name: String) -> String {
        guard let bracket = name.firstIndex(of: "[") else { return name }
        return trimmed(name[..<bracket])
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }

    var sysctlSection: String {
        var out = "sysctls\n"
        let width = NetworkSysctls.names.map(\.count).max() ?? 0
        for name in NetworkSysctls.names {
            guard let value = snapshot.sysctls.values[name] else { continue }
            out += "  \(Self.pad(name, width))  \(fields(value).joined(separator: " "))\n"
        }
        let conntrack = snapshot.conntrack
        out += "conntrack: " + (conntrack.loaded
            ? "loaded (\(conntrack.evidence))" + (conntrack.entries.map { ", \($0) connection\($0 == 1 ? "" : "s") tracked" } ?? "")
            : "not loaded") + "\n"
        return out
    }

    var softnetSection: String {
        guard case .success(let softnet) = snapshot.softnet else { return "softnet: unread\n" }
        let total = softnet.total
        var out = "softnet since boot: processed \(total.processed), dropped \(total.dropped), time_squeeze \(total.timeSqueeze) over \(softnet.cpus.count) CPUs\n"
        for row in softnet.cpus where row.dropped > 0 || row.timeSqueeze > 0 {
            out += "  CPU \(row.cpu): processed \(row.processed), dropped \(row.dropped), time_squeeze \(row.timeSqueeze)\n"
        }
        return out
    }
}
