import HostStats
import PacketIO
import Reporting

/// What one sender/receiver pair did, from the two summary lines
/// (`mpps send --json` and `mpps recv --json`).
package struct TrialMeasurement: Equatable, Sendable {
    /// Datagrams the kernel accepted from the sender.
    package var sent: UInt64
    /// Seconds the sender ran.
    package var senderSeconds: Double
    /// Sends refused (nobody listening).
    package var refused: UInt64
    /// Datagrams the receiver counted.
    package var received: UInt64
    /// Datagrams the receiver's sequence numbers show missing (its `lost`), when it saw headers.
    package var sequenceLost: UInt64?
    /// Where datagrams were dropped.
    package var drops: DropCounts
    /// Datagrams per receiving thread.
    package var threadPackets: [UInt64]
    /// The receiver's `incoming_cpus`, passed through when it reports them.
    package var incomingCPUs: JSONValue?
    /// True when the receiver used UDP GRO: the kernel then drops whole coalesced
    /// messages and counts each once in ``DropCounts/socket``, however many datagrams it held.
    package var socketDropsCountMessages = false
    /// Each CPU's shares over the receiver's run (its summary's `cpus`), when it reported them.
    package var cpus: [CPUShare] = []
    /// What the receiver's CPU shares said about the limit (its summary's `findings`).
    package var findings: [String] = []
    /// The receiving threads' CPU nanoseconds per datagram (its summary's `cpu_ns_per_datagram`).
    package var cpuNanosecondsPerDatagram: Double?

    /// Creates a measurement.
    package init(sent: UInt64, senderSeconds: Double, refused: UInt64 = 0, received: UInt64,
                sequenceLost: UInt64? = nil, drops: DropCounts = DropCounts(), threadPackets: [UInt64],
                incomingCPUs: JSONValue? = nil) {
        self.sent = sent
        self.senderSeconds = senderSeconds
        self.refused = refused
        self.received = received
        self.sequenceLost = sequenceLost
        self.drops = drops
        self.threadPackets = threadPackets
        self.incomingCPUs = incomingCPUs
    }

    /// Reads the two summaries; a failure names a key that must be there and is not.
    /// `coalescing`: the receiver ran with `--gro`.
    package static func parse(receiver: JSONValue, sender: JSONValue, coalescing: Bool = false) -> Result<TrialMeasurement, RunError> {
        guard let sent = sender["packets"]?.count, let seconds = sender["seconds"]?.double else {
            return .failure(RunError("the sender's summary lacks packets or seconds: \(sender.rendered)"))
        }
        guard let received = receiver["packets"]?.count else {
            return .failure(RunError("the receiver's summary lacks packets: \(receiver.rendered)"))
        }
        var drops = DropCounts()
        drops.socket = receiver["socket_drops"]?.count ?? 0
        if let kernel = receiver["kernel"] {
            drops.rcvbufErrors = kernel["rcvbuf_errors"]?.count ?? 0
            drops.inErrors = kernel["in_errors"]?.count ?? 0
            drops.memErrors = kernel["mem_errors"]?.count ?? 0
            drops.noPorts = kernel["no_ports"]?.count ?? 0
        }
        drops.backlog = saturatingSum((receiver["softnet"]?.array ?? []).map { $0["dropped"]?.count ?? 0 })
        let threads = (receiver["threads"]?.array ?? []).compactMap(\.count)
        var measurement = TrialMeasurement(sent: sent, senderSeconds: seconds, refused: sender["refused"]?.count ?? 0,
                                           received: received, sequenceLost: receiver["lost"]?.count, drops: drops,
                                           threadPackets: threads, incomingCPUs: receiver["incoming_cpus"])
        measurement.socketDropsCountMessages = coalescing
        measurement.cpus = cpuShares(receiver["cpus"])
        // At most 16 lines of at most 500 characters: the line is untrusted, and the lab prints them.
        measurement.findings = (receiver["findings"]?.array ?? []).prefix(16).compactMap { $0.string.map { String($0.prefix(500)) } }
        measurement.cpuNanosecondsPerDatagram = receiver["cpu_ns_per_datagram"]?.double.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        return .success(measurement)
    }

    /// Datagrams received per second of sending.
    package var receivedPerSecond: Double { senderSeconds > 0 ? Double(received) / senderSeconds : 0 }

    /// Datagrams sent per second.
    package var sentPerSecond: Double { senderSeconds > 0 ? Double(sent) / senderSeconds : 0 }

    /// Lost datagrams as a fraction of those sent.
    package var lossFraction: Double { sent > 0 ? Double(lost) / Double(sent) : 0 }

    /// Each receiving thread's fraction of the datagrams received.
    package var shares: [Double] {
        let total = saturatingSum(threadPackets)
        return threadPackets.map { total > 0 ? Double($0) / Double(total) : 0 }
    }

    /// The pair's account, sent = received + lost by cause: the same as `mpps demo`'s.
    package var account: LossAccount {
        LossAccount(sent: sent, received: received, sequenceLost: sequenceLost, socketDrops: drops.socket,
                    backlogDrops: drops.backlog, socketDropsCountMessages: socketDropsCountMessages)
    }

    /// Datagrams lost (``LossAccount/lost``): the larger of what the sequence numbers miss and `sent - received`.
    package var lost: UInt64 { account.lost }

    /// Lost datagrams neither the socket's nor the backlog's drop counts explain (``LossAccount/lostElsewhere``).
    package var lostElsewhere: UInt64 { account.lostElsewhere }

    /// Where the lost datagrams went, in words: `"none"`, or the counters that moved (``LossAccount/causesInWords``).
    package var dropsInWords: String { account.causesInWords }

    /// The CPU that last delivered to each receiving socket (SO_INCOMING_CPU), when the receiver knew any.
    package var incomingCPUsInWords: String? {
        // A number that is no CPU (1e300, or a fraction's whole part beyond Int) is left out rather than trapping.
        guard let cpus = incomingCPUs?.array?.compactMap({ $0.double.flatMap { Int(exactly: $0.rounded(.towardZero)) } }),
              cpus.contains(where: { $0 >= 0 }) else { return nil }
        return cpus.map { $0 >= 0 ? "\($0)" : "?" }.joined(separator: "/")
    }

    /// Shares as percentages, `52/48`.
    package var sharesInWords: String {
        shares.map { Units.fixed($0 * 100, decimals: 0) }.joined(separator: "/")
    }
}

/// The `cpus` array of a summary line as shares: entries without a CPU number that
/// fits Int, or with a share that is not a fraction, are left out; at most 4096.
private func cpuShares(_ value: JSONValue?) -> [CPUShare] {
    (value?.array ?? []).prefix(4096).compactMap { entry in
        guard let number = entry["cpu"]?.double, let cpu = Int(exactly: number) else { return nil }
        var parts: [Double] = []
        for key in ["user", "system", "softirq", "irq", "iowait", "steal", "idle"] {
            guard let part = entry[key]?.double, part >= 0, part <= 1 else { return nil }
            parts.append(part)
        }
        return CPUShare(cpu: cpu, user: parts[0], system: parts[1], softirq: parts[2], irq: parts[3],
                        iowait: parts[4], steal: parts[5], idle: parts[6])
    }
}

/// The sum of counts read from a child's line, UInt64.max when it would not fit:
/// the line is untrusted, and a sum of its numbers must not trap the lab.
private func saturatingSum(_ values: [UInt64]) -> UInt64 {
    values.reduce(0) { sum, value in
        let (result, overflow) = sum.addingReportingOverflow(value)
        return overflow ? .max : result
    }
}
