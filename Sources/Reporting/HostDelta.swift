import HostStats
import PacketIO

/// How the host's counters moved over an interval or a run.
package struct HostDelta: Equatable, Sendable {
    /// UDP datagrams delivered to sockets (InDatagrams).
    package var udpIn: UInt64 = 0
    /// Dropped because a socket's receive buffer was full (RcvbufErrors).
    package var rcvbufErrors: UInt64 = 0
    /// All UDP receive errors, including the two below and bad checksums (InErrors).
    package var inErrors: UInt64 = 0
    /// Arrived for a port nobody listens on (NoPorts).
    package var noPorts: UInt64 = 0
    /// Dropped because UDP's memory (net.ipv4.udp_mem) ran out (MemErrors).
    package var memErrors: UInt64 = 0
    /// Whether the UDP counters could be read at all.
    package var hasUDP = false
    /// Drops at this run's sockets, exactly; nil when not read.
    package var socketDrops: UInt64?
    /// Per CPU: packets the kernel processed, dropped from a full backlog, and budget squeezes.
    package var softnet: [SoftnetCPU] = []
    /// The watched interface, when there is one.
    package var nic: NICDelta?
    /// The AF_XDP sockets' drop counters (`mpps recv --xdp`), when read.
    package var xdp: XDPStatistics?

    /// Creates a delta; every counter defaults to 0.
    package init() {}

    /// The change from `earlier` to `later`.
    package init(from earlier: HostReading, to later: HostReading) {
        if let before = earlier.udp, let after = later.udp {
            let change = after.since(before)
            hasUDP = true
            udpIn = change["InDatagrams"]
            rcvbufErrors = change["RcvbufErrors"]
            inErrors = change["InErrors"]
            noPorts = change["NoPorts"]
            memErrors = change["MemErrors"]
        }
        if let before = earlier.socketDrops, let after = later.socketDrops {
            socketDrops = after >= before ? after - before : 0
        }
        if let before = earlier.xdp, let after = later.xdp { xdp = after.since(before) }
        if let before = earlier.softnet, let after = later.softnet {
            softnet = after.since(before).cpus
        }
        if let before = earlier.interface, let after = later.interface {
            let ethtool = earlier.ethtool.flatMap { before in later.ethtool.map { $0.since(before) } }
            nic = NICDelta(interface: after.interface, counters: after.since(before).counters,
                           rxQueues: ethtool?.rxQueuePackets?.queues,
                           driverDrops: (ethtool?.nicDrops ?? []).filter { $0.value > 0 }
                               .map { ($0.counter.name, $0.counter.meaning, $0.value) })
        }
    }

    /// The members an interval or summary line carries for the host (`mpps recv --json`), in this
    /// order, each only when it was read:
    ///
    /// - `kernel`: the UDP counters of /proc/net/snmp and snmp6 over the interval or run:
    ///   `{"udp_in":N,"rcvbuf_errors":N,"in_errors":N,"no_ports":N,"mem_errors":N}`.
    /// - `socket_drops`: datagrams the kernel dropped at this run's sockets (SO_MEMINFO).
    /// - `softnet`: per CPU `{"cpu":N,"processed":N,"dropped":N,"time_squeeze":N}` (/proc/net/softnet_stat).
    /// - `nic` (`--interface IF`): `interface`, IF's sysfs counters by name (sorted), `rx_queues`
    ///   (`[{"queue":N,"packets":N}]`, when the driver reports them) and `driver_drops`
    ///   (the driver's drop counters that moved, by name).
    /// - `xdp` (`--xdp IF`): the AF_XDP sockets' counters, `{"rx_dropped":N,"rx_ring_full":N,
    ///   "rx_fill_ring_empty_descs":N,"rx_invalid_descs":N,"not_udp":N}` (`not_udp`: frames the
    ///   reader found no datagram for its address in).
    package var json: JSONObject {
        var object = JSONObject()
        if hasUDP {
            object.append("kernel", ["udp_in": .unsigned(udpIn), "rcvbuf_errors": .unsigned(rcvbufErrors),
                                     "in_errors": .unsigned(inErrors), "no_ports": .unsigned(noPorts),
                                     "mem_errors": .unsigned(memErrors)])
        }
        if let socketDrops { object.append("socket_drops", .unsigned(socketDrops)) }
        if !softnet.isEmpty {
            object.append("softnet", .array(softnet.map { cpu in
                ["cpu": .int(cpu.cpu), "processed": .unsigned(UInt64(cpu.processed)),
                 "dropped": .unsigned(UInt64(cpu.dropped)), "time_squeeze": .unsigned(UInt64(cpu.timeSqueeze))]
            }))
        }
        if let nic {
            var fields: JSONObject = ["interface": .string(nic.interface)]
            for name in nic.counters.keys.sorted() { fields.append(name, .unsigned(nic.counters[name] ?? 0)) }
            if let queues = nic.rxQueues {
                fields.append("rx_queues", .array(queues.map { ["queue": .int($0.queue), "packets": .unsigned($0.packets)] }))
            }
            fields.append("driver_drops", .object(JSONObject(nic.driverDrops.map { ($0.name, .unsigned($0.value)) })))
            object.append("nic", .object(fields))
        }
        if let xdp {
            object.append("xdp", ["rx_dropped": .unsigned(xdp.dropped), "rx_ring_full": .unsigned(xdp.ringFull),
                                  "rx_fill_ring_empty_descs": .unsigned(xdp.fillRingEmpty),
                                  "rx_invalid_descs": .unsigned(xdp.invalidDescriptors), "not_udp": .unsigned(xdp.unparsedFrames)])
        }
        return object
    }

    /// Receive errors that are neither a full buffer nor a lack of memory (bad checksums, say).
    package var otherErrors: UInt64 {
        let explained = rcvbufErrors.addingSaturating(memErrors)
        return inErrors > explained ? inErrors - explained : 0
    }

    /// One line per cause of loss, in words, with its rate over `seconds`;
    /// empty when nothing was dropped. The host's counters include other
    /// programs' traffic; the socket count is this run's alone.
    package func dropLines(seconds: Double) -> [String] {
        dropLines(amount: { Units.shortRate(Double($0) / max(seconds, 1e-9)) + "/s" })
    }

    /// The same lines with each count written by `amount` (a rate, or a plain total).
    package func dropLines(amount rate: (UInt64) -> String) -> [String] {
        var lines: [String] = []
        if rcvbufErrors > 0 {
            var line = "drops: \(rate(rcvbufErrors)) socket buffer full (RcvbufErrors): the application is not reading fast enough"
            if let socketDrops { line += " (\(rate(socketDrops)) at this run's sockets)" }
            lines.append(line)
        } else if xdp == nil, let socketDrops, socketDrops > 0 {
            lines.append("drops: \(rate(socketDrops)) at this run's sockets (SO_MEMINFO): the application is not reading fast enough")
        }
        if memErrors > 0 {
            lines.append("drops: \(rate(memErrors)) UDP memory exhausted (MemErrors): raise net.ipv4.udp_mem, or read faster")
        }
        if otherErrors > 0 {
            lines.append("drops: \(rate(otherErrors)) other receive errors (InErrors, such as bad checksums)")
        }
        if noPorts > 0 {
            lines.append("drops: \(rate(noPorts)) sent to a port nobody listens on (NoPorts)")
        }
        for cpu in softnet where cpu.dropped > 0 {
            lines.append("drops: \(rate(UInt64(cpu.dropped))) backlog full on CPU \(cpu.cpu) (softnet_stat): "
                + "raise net.core.netdev_max_backlog, or spread the load with RPS")
        }
        for cpu in softnet where cpu.timeSqueeze > 0 {
            lines.append("squeeze: \(rate(UInt64(cpu.timeSqueeze))) on CPU \(cpu.cpu) (softnet_stat time_squeeze): "
                + "the kernel ran out of its packet budget with work left; raise net.core.netdev_budget")
        }
        if let nic {
            for name in InterfaceStatistics.receiveDropNames where (nic.counters[name] ?? 0) > 0 {
                lines.append("drops: \(rate(nic.counters[name]!)) at \(nic.interface) (\(name)): "
                    + "the interface or its driver dropped them before the kernel's stack")
            }
            for drop in nic.driverDrops {
                lines.append("drops: \(rate(drop.value)) at the NIC \(nic.interface) (\(drop.name)): \(drop.meaning)")
            }
        }
        if let xdp { lines += Self.xdpLines(xdp, rate) }
        return lines
    }

    /// The AF_XDP sockets' causes of loss, in words.
    private static func xdpLines(_ xdp: XDPStatistics, _ rate: (UInt64) -> String) -> [String] {
        var lines: [String] = []
        if xdp.ringFull > 0 {
            lines.append("drops: \(rate(xdp.ringFull)) AF_XDP RX ring full (rx_ring_full): the receiving thread is not reading fast enough")
        }
        if xdp.dropped > 0 {
            lines.append("drops: \(rate(xdp.dropped)) at the AF_XDP sockets (rx_dropped): no free frame, or a frame longer than the UMEM's")
        }
        if xdp.fillRingEmpty > 0 {
            lines.append("drops: \(rate(xdp.fillRingEmpty)) times the AF_XDP fill ring was empty (rx_fill_ring_empty_descs): "
                + "the reader hands frames back too slowly")
        }
        if xdp.invalidDescriptors > 0 {
            lines.append("drops: \(rate(xdp.invalidDescriptors)) invalid AF_XDP descriptors (rx_invalid_descs)")
        }
        if xdp.unparsedFrames > 0 {
            lines.append("ignored: \(rate(xdp.unparsedFrames)) AF_XDP frames held no UDP datagram for this address (not_udp)")
        }
        return lines
    }
}
