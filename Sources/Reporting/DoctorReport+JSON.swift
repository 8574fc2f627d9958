import HostStats

extension DoctorReport {
    /// The report as one JSON object (`mpps doctor --json`). Keys:
    ///
    /// - `root`: the directory read as `/` (`/` for this host, else a fixture tree).
    /// - `cpus`: `online` (CPU numbers), `cores`, `packages`, `nodes` (`[{"node":N,"cpus":[...]}]`,
    ///   empty without NUMA), `smt_siblings` (groups of CPUs sharing a core, when any do); null if unread.
    /// - `interfaces`: one object per interface looked at: `name`, `driver`, `device` (PCI address or
    ///   bus device), `state` (operstate), `numa_node`, `rx_queues`, `tx_queues`, `channels`
    ///   (`rx`, `tx`, `other`, `combined`, `max_rx`, `max_tx`, `max_other`, `max_combined`), `rss`
    ///   (`udp4`, `udp6`: hashed fields as ethtool names them), `rps` and `xps` (`[{"queue":N,"cpus":[...]}]`,
    ///   `cpus` empty when off, null when unread or not applicable), `irqs` (`irq`, `name`, `kind`
    ///   `rx`/`tx`/`rx/tx`/`other`, `queue`, `affinity`, `effective_affinity`, `count` since boot),
    ///   `statistics` (sysfs counters by name), `rx_queue_packets` (`scheme`, `queues`: `[{"queue":N,"packets":N}]`
    ///   from ethtool), `nic_drops` (ethtool drop counters by name). Anything unread is null.
    /// - `sysctls`: name → number (`net.ipv4.udp_mem`: three numbers).
    /// - `conntrack`: `loaded`, `entries` (null if unknown), `evidence`.
    /// - `softnet`: per CPU `cpu`, `processed`, `dropped`, `time_squeeze` since boot.
    /// - `receiver_cpus`: `cpus`, `choice` (`clear`, `other-node`, `siblings`, `shared`), `nic_node`,
    ///   `interrupt_cpus`, `interrupt_siblings`, `reason`; null if the topology is unread.
    /// - `findings`: `id`, `severity` (`warning`, `advice`, `info`), `interface` (or null),
    ///   `statement`, `recommendation`; readings that failed are findings with id `unreadable`.
    package var json: JSONValue {
        let snapshot = self.snapshot
        return .object([
            "root": .string(snapshot.root),
            "cpus": Self.cpusJSON(try? snapshot.topology.get()),
            "interfaces": .array(snapshot.interfaces.map(Self.interfaceJSON)),
            "sysctls": .object(JSONObject(NetworkSysctls.names.compactMap { name -> (String, JSONValue)? in
                guard let numbers = snapshot.sysctls.integers(name) else { return nil }
                return (name, numbers.count == 1 ? .int(numbers[0]) : .ints(numbers))
            })),
            "conntrack": .object([
                "loaded": .bool(snapshot.conntrack.loaded),
                "entries": .optional(snapshot.conntrack.entries) { .int($0) },
                "evidence": .string(snapshot.conntrack.evidence),
            ]),
            "softnet": .optional(try? snapshot.softnet.get()) { softnet in
                .array(softnet.cpus.map { row in
                    .object(["cpu": .int(row.cpu), "processed": .unsigned(UInt64(row.processed)),
                             "dropped": .unsigned(UInt64(row.dropped)), "time_squeeze": .unsigned(UInt64(row.timeSqueeze))])
                })
            },
            "receiver_cpus": .optional(receiverCPUs) { choice in
                .object([
                    "cpus": .ints(choice.cpus),
                    "choice": .string(choice.choice.rawValue),
                    "nic_node": .optional(choice.nicNode) { .int($0) },
                    "interrupt_cpus": .ints(choice.interruptCPUs),
                    "interrupt_siblings": .ints(choice.interruptSiblings),
                    "reason": .string(choice.reason),
                ])
            },
            "findings": .array(findings.map { finding in
                .object([
                    "id": .string(finding.id),
                    "severity": .string(finding.severity.rawValue),
                    "interface": .optional(finding.interface) { .string($0) },
                    "statement": .string(finding.statement),
                    "recommendation": .string(finding.recommendation),
                ])
            }),
        ])
    }

    /// The `cpus` member: the topology, or null when it could not be read.
    static func cpusJSON(_ topology: CPUTopology?) -> JSONValue {
        guard let topology else { return .null }
        return .object([
            "online": .ints(topology.online),
            "cores": .int(topology.coreCount),
            "packages": .int(topology.packageCount),
            "nodes": .array(topology.nodes.keys.sorted().map { node in
                .object(["node": .int(node), "cpus": .ints(topology.nodes[node] ?? [])])
            }),
            "smt_siblings": .array(topology.siblingGroups.map { .ints($0) }),
        ])
    }

    /// One member of `interfaces`.
    static func interfaceJSON(_ snapshot: InterfaceSnapshot) -> JSONValue {
        let interface = snapshot.interface
        let queues = try? snapshot.queues.get()
        let ethtool = try? snapshot.ethtool.get()
        return .object([
            "name": .string(interface.name),
            "driver": .optional(interface.driver) { .string($0) },
            "device": .optional(interface.device) { .string($0) },
            "state": .optional(interface.operationalState) { .string($0) },
            "numa_node": .optional(interface.numaNode) { .int($0) },
            "rx_queues": .optional(queues?.receive.count) { .int($0) },
            "tx_queues": .optional(queues?.transmit.count) { .int($0) },
            "channels": .optional(try? snapshot.channels.get()) { channels in
                .object(["rx": .int(channels.receive), "tx": .int(channels.transmit), "other": .int(channels.other),
                         "combined": .int(channels.combined), "max_rx": .int(channels.maxReceive),
                         "max_tx": .int(channels.maxTransmit), "max_other": .int(channels.maxOther),
                         "max_combined": .int(channels.maxCombined)])
            },
            "rss": .object(JSONObject(FlowType.allCases.filter { $0 == .udp4 || $0 == .udp6 }.map { flow -> (String, JSONValue) in
                (flow.rawValue, .optional(snapshot.flowHashes[flow].flatMap { try? $0.get() }) { hash in .strings(hash.fieldNames) })
            })),
            "rps": .optional(queues) { queues in
                .array(queues.receive.map { .object(["queue": .int($0.index), "cpus": .optional($0.rpsCPUs) { .ints($0) }]) })
            },
            "xps": .optional(queues) { queues in
                .array(queues.transmit.map { .object(["queue": .int($0.index), "cpus": .optional($0.xpsCPUs) { .ints($0) }]) })
            },
            "irqs": .array(snapshot.interrupts.map { interrupt in
                .object([
                    "irq": .int(interrupt.irq),
                    "name": .string(interrupt.name),
                    "kind": .string(interrupt.kind.rawValue),
                    "queue": .optional(interrupt.queue) { .int($0) },
                    "affinity": .optional(interrupt.affinity) { .ints($0) },
                    "effective_affinity": .optional(interrupt.effectiveAffinity) { .ints($0) },
                    "count": .unsigned(interrupt.total),
                ])
            }),
            "statistics": .optional(try? snapshot.statistics.get()) { statistics in
                .object(JSONObject(statistics.counters.keys.sorted().map { ($0, .unsigned(statistics.counters[$0] ?? 0)) }))
            },
            "rx_queue_packets": .optional(ethtool?.rxQueuePackets) { packets in
                .object(["scheme": .string(packets.scheme),
                         "queues": .array(packets.queues.map { .object(["queue": .int($0.queue), "packets": .unsigned($0.packets)]) })])
            },
            "nic_drops": .optional(ethtool) { ethtool in
                .object(JSONObject(ethtool.nicDrops.map { ($0.counter.name, .unsigned($0.value)) }))
            },
        ])
    }
}
