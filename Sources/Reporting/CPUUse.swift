import HostStats

/// Where CPU time went over an interval or a run: each CPU's shares, each worker's
/// CPU seconds, the process's, and what they say (``CPUDiagnosis``).
package struct CPUUse: Equatable, Sendable {
    /// Each CPU's shares of the interval.
    package var cpus: [CPUShare]
    /// Each worker's user and system seconds, by index; nil when unreadable.
    package var threads: [ThreadCPUSeconds?]
    /// The whole process's user and system seconds.
    package var process: ThreadCPUSeconds?
    /// The diagnosis of these shares (empty for senders: the rules are about receiving).
    package var findings: [CPUFinding]

    /// Creates a value.
    package init(cpus: [CPUShare] = [], threads: [ThreadCPUSeconds?] = [], process: ThreadCPUSeconds? = nil,
                findings: [CPUFinding] = []) {
        self.cpus = cpus
        self.threads = threads
        self.process = process
        self.findings = findings
    }

    /// The change from `earlier` to `later` over `seconds`. With `receiving` (each
    /// worker's CPU, -1 when unknown, and the datagrams it received over `seconds`),
    /// the workers are receiving threads and the findings are worked out.
    /// `delivery` says where the kernel's receive work runs (on loopback, on the senders' CPUs).
    package init(from earlier: CPUReading, to later: CPUReading, seconds: Double, receiving: [(cpu: Int, packets: UInt64)]? = nil,
                 delivery: ReceiveDelivery = .network) {
        if let before = earlier.processors, let after = later.processors { cpus = after.shares(since: before) } else { cpus = [] }
        threads = later.threads.enumerated().map { index, now in
            guard let now else { return nil }
            // A thread not yet known at the earlier reading started since: all its time is in this interval.
            let before = index < earlier.threads.count ? earlier.threads[index] : nil
            return now.seconds(since: before ?? TaskCPUTime(userTicks: 0, systemTicks: 0))
        }
        process = earlier.process.flatMap { before in later.process.map { $0.seconds(since: before) } }
        findings = []
        if let receiving, seconds > 0 {
            let used = threads.enumerated().compactMap { index, time in
                time.map { ReceivingThreadCPU(id: index, cpu: index < receiving.count ? receiving[index].cpu : -1,
                                              busy: $0.total / seconds, received: index < receiving.count ? receiving[index].packets : 0) }
            }
            findings = CPUDiagnosis.findings(cpus: cpus, threads: used, delivery: delivery)
        }
    }

    /// All workers' CPU seconds together.
    package var threadTotal: ThreadCPUSeconds {
        threads.reduce(ThreadCPUSeconds()) { $0 + ($1 ?? ThreadCPUSeconds()) }
    }

    /// `"cpus":[{"cpu":0,"user":x,"system":x,"softirq":x,"irq":x,"iowait":x,"steal":x,"idle":x}]`, fractions with 4 decimals.
    package var cpusJSON: JSONValue {
        .array(cpus.map { share in
            ["cpu": .int(share.cpu), "user": .fixed(share.user, places: 4), "system": .fixed(share.system, places: 4),
             "softirq": .fixed(share.softirq, places: 4), "irq": .fixed(share.irq, places: 4),
             "iowait": .fixed(share.iowait, places: 4), "steal": .fixed(share.steal, places: 4),
             "idle": .fixed(share.idle, places: 4)]
        })
    }

    /// The interval's line for people: `cpu0 si 85% sys 12% | cpu1 usr 38% sys 60%`, each CPU's
    /// parts of at least 1%, largest first; `idle` for a CPU doing nothing.
    package var compactLine: String {
        cpus.map { share in
            let parts = [("usr", share.user), ("sys", share.system), ("si", share.softirq), ("irq", share.irq),
                         ("io", share.iowait), ("st", share.steal)]
                .filter { $0.1 >= 0.005 }
                .sorted { $0.1 > $1.1 }
                .map { "\($0.0) \(CPUDiagnosis.percent($0.1))" }
            return "cpu\(share.cpu) " + (parts.isEmpty ? "idle" : parts.joined(separator: " "))
        }.joined(separator: " | ")
    }
}

extension CPUUse {
    /// The measured threads' CPU nanoseconds (user + system) per one of `count` (requests,
    /// datagrams); nil when no thread's CPU time was read or `count` is 0.
    package func threadNanoseconds(per count: UInt64) -> Double? {
        guard count > 0, threads.contains(where: { $0 != nil }) else { return nil }
        return threadTotal.total * 1e9 / Double(count)
    }

    /// Appends `cpu_user_s`, `cpu_system_s` and `cpu_ns_per_request` (over `requests`) to a summary,
    /// as `mpps echo` and `mpps ping` end theirs.
    package func appendPerRequest(to object: inout JSONObject, requests: UInt64) {
        object.append("cpu_user_s", .fixed(threadTotal.user, places: 3))
        object.append("cpu_system_s", .fixed(threadTotal.system, places: 3))
        object.append("cpu_ns_per_request", .optional(threadNanoseconds(per: requests)) { .fixed($0, places: 1) })
    }
}
